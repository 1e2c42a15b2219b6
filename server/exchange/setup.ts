// Sets the exchange with other organisations up: its tables and the partner registry.
import { fileURLToPath } from 'node:url';
import { migrate, type Database } from '../../fhir/index.ts';
import { PartnerRegistry } from './partners/registry.ts';

export const exchangeMigrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'exchange' };

export interface ExchangeSetup {
  partners: PartnerRegistry;
}

export async function setUpExchange(db: Database): Promise<ExchangeSetup> {
  await migrate(db, exchangeMigrations);
  return { partners: new PartnerRegistry(db) };
}
