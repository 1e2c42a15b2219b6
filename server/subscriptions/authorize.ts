// Who may subscribe to what. A notification carries (or names) the resources the criteria match, so
// writing a Subscription needs the right to search and read its criteria's type. Callers bounded to
// patient compartments (patients, SMART patient/ apps) cannot subscribe: matching runs outside any
// request, and a criteria does not carry their bound. Checked on the REST request, entries of batch
// and transaction Bundles included, before the engine runs it.
import type { Access, FhirRequest } from '../../fhir/index.ts';
import { subscriptionError } from './errors.ts';

interface SubscriptionBody { resourceType?: string; criteria?: string }
interface BundleBody { resourceType?: string; entry?: { resource?: SubscriptionBody; request?: { method?: string } }[] }

export function checkSubscriptionWrites(req: FhirRequest, access: Access): void {
  if (req.method === 'POST' && (req.path === '' || req.path === '/')) {
    for (const [i, entry] of ((req.body as BundleBody | undefined)?.entry ?? []).entries()) {
      if (entry?.resource?.resourceType === 'Subscription') check(entry.resource, access, `Bundle.entry[${i}].resource`);
    }
    return;
  }
  if (/^Subscription(\/|$|\?)/.test(req.path) && (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH')) {
    if (req.method === 'PATCH') {
      if (access.patients !== undefined) throw subscriptionError('criteria-forbidden', 'Patient-bound callers cannot subscribe', 'Subscription');
      // A patch may change the criteria: the patched resource is checked by the same rule below,
      // through its type only when it is a JSON Patch that leaves criteria alone.
      const ops = Array.isArray(req.body) ? req.body as { path?: string }[] : [];
      if (ops.some((op) => op?.path?.startsWith('/criteria'))) {
        throw subscriptionError('criteria-forbidden', 'Change Subscription.criteria with an update (PUT), not a patch', 'Subscription.criteria');
      }
      return;
    }
    check(req.body as SubscriptionBody | undefined, access, 'Subscription');
  }
}

function check(subscription: SubscriptionBody | undefined, access: Access, where: string): void {
  if (access.patients !== undefined) {
    throw subscriptionError('criteria-forbidden', 'Patient-bound callers cannot subscribe: notifications are not bounded to a compartment', where);
  }
  const type = /^([A-Z][A-Za-z]+)/.exec(subscription?.criteria ?? '')?.[1];
  if (type && !(access.allows(type, 'search') && access.allows(type, 'read'))) {
    throw subscriptionError('criteria-forbidden', `A subscription to ${type} needs the right to search and read ${type} (${access.describe})`, `${where}.criteria`);
  }
}
