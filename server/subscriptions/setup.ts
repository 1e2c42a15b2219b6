// Subscriptions (R4 rest-hook, with the R5 Backport IG's handshake, heartbeat and notification Bundles)
// wired into an engine: migrations, write hooks, and the dispatcher that delivers after commit.
import { fileURLToPath } from 'node:url';
import { migrate, type Database, type FhirEngine } from '../../fhir/index.ts';
import { SubscriptionDispatcher, type DispatcherOptions } from './dispatcher.ts';
import { changeHook, subscriptionHook } from './hooks.ts';

const migrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'subscriptions' };

export type SubscriptionSettings = Omit<DispatcherOptions, 'engine' | 'log' | 'baseUrl'>;

export async function setUpSubscriptions(
  db: Database, engine: FhirEngine, options: SubscriptionSettings & Pick<DispatcherOptions, 'log' | 'baseUrl'>,
): Promise<SubscriptionDispatcher> {
  await migrate(db, migrations);
  const dispatcher = new SubscriptionDispatcher({ ...options, engine });
  engine.addWriteHook(subscriptionHook(engine.registry, dispatcher));
  engine.addWriteHook(changeHook(engine.registry.resourceTypes, dispatcher));
  return dispatcher;
}
