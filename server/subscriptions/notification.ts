// The HTTP request of one notification.
// - R4 rest-hook (http://hl7.org/fhir/R4/subscription.html#2.46.7.1): without channel.payload a POST with
//   no body to the endpoint; with it, the resource PUT to [endpoint]/[type]/[id] in that MIME type.
// - Subscriptions R5 Backport IG (http://hl7.org/fhir/uv/subscriptions-backport/notifications.html): a
//   history Bundle POSTed to the endpoint, first entry a SubscriptionStatus (Parameters) saying which
//   subscription, the notification type (handshake, heartbeat, event-notification) and the event
//   number, then the focus resource as the payload content asks (nothing, its reference, the resource).
// Handshakes and heartbeats are always backport notification Bundles: R4 itself defines neither.
import { randomUUID } from 'node:crypto';
import { BACKPORT, type SubscriptionChannel } from './channel.ts';

export interface NotificationRequest {
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface NotificationInput {
  channel: SubscriptionChannel;
  kind: 'handshake' | 'heartbeat' | 'event';
  /** Base URL of this server's FHIR API (references in the status are absolute). */
  baseUrl: string;
  /** Notifications sent since the subscription started, this one included for an event. */
  eventNumber: number;
  /** The focus resource (events), as stored. */
  focus?: { resourceType: string; id: string; json: string; created: boolean };
}

export function notificationRequest(input: NotificationInput): NotificationRequest {
  const { channel, kind, focus } = input;
  const headers: Record<string, string> = {};
  for (const [name, value] of channel.headers) headers[name] = value;
  if (kind === 'event' && focus && channel.payload === 'r4-empty') {
    return { method: 'POST', url: channel.endpoint, headers };
  }
  if (kind === 'event' && focus && channel.payload === 'r4-resource') {
    const url = `${channel.endpoint.replace(/\/+$/, '')}/${focus.resourceType}/${encodeURIComponent(focus.id)}`;
    return { method: 'PUT', url, headers: { ...headers, 'content-type': channel.contentType }, body: focus.json };
  }
  return {
    method: 'POST', url: channel.endpoint,
    headers: { ...headers, 'content-type': 'application/fhir+json' },
    body: JSON.stringify(notificationBundle(input)),
  };
}

function notificationBundle(input: NotificationInput): Record<string, unknown> {
  const { channel, kind, focus, baseUrl, eventNumber } = input;
  const subscription = `${baseUrl}/Subscription/${channel.id}`;
  const parameter: Record<string, unknown>[] = [
    { name: 'subscription', valueReference: { reference: subscription } },
    { name: 'status', valueCode: kind === 'handshake' ? 'requested' : 'active' },
    { name: 'type', valueCode: kind === 'event' ? 'event-notification' : kind },
    // R4 has no integer64: the IG carries the count as a string.
    { name: 'events-since-subscription-start', valueString: String(eventNumber) },
  ];
  const now = new Date().toISOString();
  if (kind === 'event' && focus) {
    parameter.push({
      name: 'notification-event',
      part: [
        { name: 'event-number', valueString: String(eventNumber) },
        { name: 'timestamp', valueInstant: now },
        ...(channel.payload !== 'empty' ? [{ name: 'focus', valueReference: { reference: `${baseUrl}/${focus.resourceType}/${focus.id}` } }] : []),
      ],
    });
  }
  const entry: Record<string, unknown>[] = [{
    fullUrl: `urn:uuid:${randomUUID()}`,
    resource: {
      resourceType: 'Parameters',
      meta: { profile: [`${BACKPORT}/StructureDefinition/backport-subscription-status-r4`] },
      parameter,
    },
    request: { method: 'GET', url: `${subscription}/$status` },
    response: { status: '200' },
  }];
  if (kind === 'event' && focus && (channel.payload === 'id-only' || channel.payload === 'full-resource')) {
    entry.push({
      fullUrl: `${baseUrl}/${focus.resourceType}/${focus.id}`,
      ...(channel.payload === 'full-resource' ? { resource: JSON.parse(focus.json) as unknown } : {}),
      request: { method: focus.created ? 'POST' : 'PUT', url: focus.created ? focus.resourceType : `${focus.resourceType}/${focus.id}` },
      response: { status: focus.created ? '201' : '200' },
    });
  }
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { profile: [`${BACKPORT}/StructureDefinition/backport-subscription-notification-r4`] },
    type: 'history',
    timestamp: now,
    entry,
  };
}
