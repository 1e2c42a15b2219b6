// What a Subscription resource asks for, read once into a plain shape: the criteria split into type
// and query, and how and where notifications go (http://hl7.org/fhir/R4/subscription.html).
import type { SearchParameterRegistry } from '../../fhir/definitions/search-parameters.ts';
import { parseSearch } from '../../fhir/search/parse.ts';
import { isFhirError } from '../../fhir/index.ts';
import { subscriptionError } from './errors.ts';

/** Subscriptions R5 Backport IG (http://hl7.org/fhir/uv/subscriptions-backport/) extensions on R4. */
export const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport';
const payloadContentUrl = `${BACKPORT}/StructureDefinition/backport-payload-content`;
const heartbeatUrl = `${BACKPORT}/StructureDefinition/backport-heartbeat-period`;
const timeoutUrl = `${BACKPORT}/StructureDefinition/backport-timeout`;

/**
 * How a notification carries the resource:
 * - `r4-empty`: R4 rest-hook without channel.payload — a POST to the endpoint with no body;
 * - `r4-resource`: R4 rest-hook with channel.payload — the resource PUT to [endpoint]/[type]/[id];
 * - backport `empty` / `id-only` / `full-resource`: a history Bundle POSTed to the endpoint whose
 *   first entry is the SubscriptionStatus (Parameters), with nothing, the reference, or the resource.
 */
export type PayloadMode = 'r4-empty' | 'r4-resource' | 'empty' | 'id-only' | 'full-resource';

export interface SubscriptionChannel {
  id: string;
  status: string;
  /** rest-hook: HTTP to the endpoint; websocket: `ping [id]` to the clients bound to it (websocket.ts). */
  transport: 'rest-hook' | 'websocket';
  resourceType: string;
  /** The criteria's query, without the type. */
  query: URLSearchParams;
  /** rest-hook only ('' for websocket). */
  endpoint: string;
  /** channel.header, "Name: value" each. */
  headers: [string, string][];
  payload: PayloadMode;
  /** The MIME type of payloads (channel.payload), default application/fhir+json. */
  contentType: string;
  /** Seconds between heartbeats when nothing else was sent; undefined = none. */
  heartbeatSeconds?: number;
  /** Seconds a delivery may take before it counts as failed. */
  timeoutSeconds?: number;
}

interface Extension { url?: string; valueCode?: string; valueUnsignedInt?: number; valuePositiveInt?: number }
interface SubscriptionResource {
  id?: string;
  status?: string;
  criteria?: string;
  channel?: {
    type?: string; endpoint?: string; payload?: string; header?: string[];
    extension?: Extension[];
    _payload?: { extension?: Extension[] };
  };
}

/**
 * Reads and checks a Subscription: the criteria must parse as a search of this server (strict: an
 * unknown parameter would silently match everything), the channel must be a rest-hook to an absolute
 * http(s) URL or a websocket (the client binds to this server's websocket; the endpoint, payload and
 * headers play no part: R4 sends `ping [id]` only). Throws the FhirError a client gets.
 */
export function readSubscription(resource: SubscriptionResource, registry: SearchParameterRegistry): SubscriptionChannel {
  const criteria = resource.criteria ?? '';
  const match = /^([A-Z][A-Za-z]+)(?:\?(.*))?$/.exec(criteria.trim());
  if (!match || !registry.resourceTypes.has(match[1]!)) {
    throw subscriptionError('invalid-criteria', `Subscription.criteria must be a search URL of a resource type, like "Appointment?status=booked" (got "${criteria}")`, 'Subscription.criteria');
  }
  const resourceType = match[1]!;
  const query = new URLSearchParams(match[2] ?? '');
  try {
    parseSearch(resourceType, query, registry);
  } catch (err) {
    if (!isFhirError(err)) throw err;
    throw subscriptionError('invalid-criteria', `Subscription.criteria is not a search this server runs: ${err.message}`, 'Subscription.criteria');
  }
  const channel = resource.channel ?? {};
  if (channel.type === 'websocket') {
    return {
      id: resource.id ?? '', status: resource.status ?? 'requested', transport: 'websocket',
      resourceType, query, endpoint: '', headers: [], payload: 'r4-empty', contentType: 'application/fhir+json',
    };
  }
  if (channel.type !== 'rest-hook') {
    throw subscriptionError('unsupported-channel', `Channel types rest-hook and websocket are supported (got "${channel.type ?? ''}")`, 'Subscription.channel.type');
  }
  let endpoint: URL;
  try {
    endpoint = new URL(channel.endpoint ?? '');
  } catch {
    throw subscriptionError('unsupported-channel', 'Subscription.channel.endpoint must be an absolute http or https URL', 'Subscription.channel.endpoint');
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw subscriptionError('unsupported-channel', 'Subscription.channel.endpoint must be an absolute http or https URL', 'Subscription.channel.endpoint');
  }
  const headers: [string, string][] = [];
  for (const [i, header] of (channel.header ?? []).entries()) {
    const colon = header.indexOf(':');
    const name = colon > 0 ? header.slice(0, colon).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n]/.test(header)) {
      throw subscriptionError('unsupported-channel', 'Each Subscription.channel.header must be "Name: value"', `Subscription.channel.header[${i}]`);
    }
    headers.push([name, header.slice(colon + 1).trim()]);
  }
  const content = channel._payload?.extension?.find((e) => e.url === payloadContentUrl)?.valueCode;
  if (content !== undefined && !['empty', 'id-only', 'full-resource'].includes(content)) {
    throw subscriptionError('unsupported-channel', 'backport-payload-content must be empty, id-only or full-resource', 'Subscription.channel.payload');
  }
  const payload: PayloadMode = content ? content as PayloadMode : channel.payload ? 'r4-resource' : 'r4-empty';
  const heartbeat = channel.extension?.find((e) => e.url === heartbeatUrl)?.valueUnsignedInt;
  const timeout = channel.extension?.find((e) => e.url === timeoutUrl)?.valueUnsignedInt;
  return {
    id: resource.id ?? '',
    status: resource.status ?? 'requested',
    transport: 'rest-hook',
    resourceType, query, endpoint: endpoint.toString(), headers, payload,
    contentType: channel.payload || 'application/fhir+json',
    ...(heartbeat ? { heartbeatSeconds: heartbeat } : {}),
    ...(timeout ? { timeoutSeconds: timeout } : {}),
  };
}
