// The write side of Subscriptions, inside every writing transaction (fhir/storage/write-hooks.ts): it
// checks Subscription resources however they are written, queues a handshake for a new one, and
// appends a change row for writes of the types an active subscription watches — one INSERT, no
// matching and no HTTP, so a write never waits for a subscriber. The dispatcher does the rest after
// the commit.
import type { WriteChange, WriteHook } from '../../fhir/index.ts';
import type { SearchParameterRegistry } from '../../fhir/definitions/search-parameters.ts';
import { readSubscription } from './channel.ts';
import { appendChanges, dropSubscription, enqueue } from './queue.ts';
import type { SubscriptionDispatcher } from './dispatcher.ts';

type Json = { status?: string; meta?: { versionId?: string } } & Record<string, unknown>;

/** Checks Subscriptions and queues their handshakes. */
export function subscriptionHook(registry: SearchParameterRegistry, dispatcher: SubscriptionDispatcher): WriteHook {
  return {
    types: ['Subscription'],
    // R4: the client asks (`requested`); the server activates after the handshake succeeded.
    prepare(resource) {
      const status = (resource as Json).status;
      return status === 'off' ? resource : { ...resource, status: 'requested' } as typeof resource;
    },
    async beforeCommit(changes, { tx }) {
      for (const change of changes) {
        const after = change.after === null ? null : JSON.parse(change.after) as Json;
        const before = change.before === null ? null : JSON.parse(change.before) as Json;
        if (after === null || after.status === 'off' || after.status === 'error') {
          await dropSubscription(tx, change.id);
          continue;
        }
        readSubscription(after, registry);
        if (after.status === 'requested' && before?.status !== 'requested') {
          await enqueue(tx, [{ subscriptionId: change.id, kind: 'handshake' }]);
        }
      }
    },
    afterCommit() {
      void dispatcher.refresh().then(() => dispatcher.nudge(), () => dispatcher.nudge());
    },
  };
}

/** Appends the changes of watched types (every type registers; unwatched ones cost a Set lookup). */
export function changeHook(resourceTypes: Iterable<string>, dispatcher: SubscriptionDispatcher): WriteHook {
  return {
    types: [...resourceTypes],
    async beforeCommit(changes, { tx }) {
      const watched = changes.filter((c) => c.after !== null && dispatcher.watches(c.resourceType));
      await appendChanges(tx, watched.map((c) => ({
        resourceType: c.resourceType, id: c.id, versionId: versionOf(c), event: c.before === null ? 'create' : 'update',
      })));
    },
    afterCommit(changes) {
      if (changes.some((c) => c.after !== null && dispatcher.watches(c.resourceType))) dispatcher.nudge();
    },
  };
}

function versionOf(change: WriteChange): number {
  return Number((JSON.parse(change.after!) as Json).meta?.versionId ?? 0);
}
