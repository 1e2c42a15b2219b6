// Worker entry of bench:booking: worker threads do not inherit tsx's loader, so it is registered here
// before the TypeScript module loads.
import { register } from 'tsx/esm/api';

register();
await import('./booking-clients.ts');
