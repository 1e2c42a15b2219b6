// The tables of record retrieval from other hospitals.
import { fileURLToPath } from 'node:url';
import { migrate, type Database } from '../../../fhir/index.ts';

const migrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'records-in' };

export async function setUpRecordsIn(db: Database): Promise<void> {
  await migrate(db, migrations);
}
