// Every $operation the engine implements.
import { validateOperation } from './validate.ts';
import { everythingOperation } from './everything.ts';
import { reindexOperation } from './reindex.ts';
import type { Operation } from './operation.ts';

export const operations: Operation[] = [validateOperation, everythingOperation, reindexOperation];
