// Sets the exchange with other organisations up: its tables, the partner registry and the
// patient summary operation.
import { fileURLToPath } from 'node:url';
import { migrate, type Database, type FhirEngine } from '../../fhir/index.ts';
import { PartnerRegistry } from './partners/registry.ts';
import { summaryOperation } from './summary/operation.ts';
import { referOperation } from './referral/refer.ts';
import { fetchExternalOperation } from './records-in/operation.ts';

export const exchangeMigrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'exchange' };

export interface ExchangeSetup {
  partners: PartnerRegistry;
}

export async function setUpExchange(db: Database, engine: FhirEngine): Promise<ExchangeSetup> {
  await migrate(db, exchangeMigrations);
  engine.addOperation(summaryOperation);
  const partners = new PartnerRegistry(db);
  engine.addOperation(referOperation(partners));
  engine.addOperation(fetchExternalOperation(partners));
  return { partners };
}
