// Delivers notifications (rest-hook, websocket) after the writes that caused them have committed.
// Writes only append a row (hooks.ts); here, outside any request: changes are matched against the
// active Subscriptions' criteria (run as a search with `_id`), notifications are sent one at a time per
// subscription in order, failures retried with exponential back-off, and a subscription whose endpoint
// keeps failing is set to `error` with the reason in Subscription.error
// (http://hl7.org/fhir/R4/subscription.html#errors).
import type { FhirEngine, Repository } from '../../fhir/index.ts';
import { readSubscription, type SubscriptionChannel } from './channel.ts';
import { notificationRequest } from './notification.ts';
import { claimChanges, delivered, dropSubscription, enqueue, eventsSent, failed, lastSent, leaseDue, removeChanges, type Delivery } from './queue.ts';

/** Subscriptions read per search page when the set is reloaded. */
const refreshPage = 500;

export interface DispatcherOptions {
  engine: FhirEngine;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** Failed attempts in a row after which a subscription goes to `error`. */
  maxAttempts: number;
  /** Default time a delivery may take. */
  timeoutMs: number;
  /** First retry delay; each further one doubles, up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
  /** How often queued work is looked at without a nudge (retries, heartbeats, other processes' writes). */
  pollMs: number;
  /** This server's FHIR base URL, for references in notifications. */
  baseUrl(): string;
}

type Json = Record<string, unknown>;

export class SubscriptionDispatcher {
  readonly #o: DispatcherOptions;
  /** Active and requested subscriptions by id (refreshed when Subscriptions change, and on the poll). */
  #subscriptions = new Map<string, SubscriptionChannel>();
  #watched = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  readonly #inFlight = new Set<Promise<void>>();
  #sockets: { ping(subscriptionId: string): void } | undefined;

  constructor(options: DispatcherOptions) {
    this.#o = options;
  }

  /** Where websocket notifications go (websocket.ts), once the HTTP listener exists. */
  useWebsockets(sockets: { ping(subscriptionId: string): void }): void {
    this.#sockets = sockets;
  }

  /** Whether writes of this type may concern an active subscription (the write hook's cheap test). */
  watches(resourceType: string): boolean {
    return this.#watched.has(resourceType);
  }

  async start(): Promise<void> {
    await this.refresh();
    const tick = () => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => {
        void this.refresh().catch((err: Error) => this.#o.log.warn({ err: err.message }, 'Could not reload the subscriptions'))
          .then(() => this.nudge()).finally(tick);
      }, this.#o.pollMs);
      this.#timer.unref();
    };
    tick();
    this.nudge();
  }

  /** Reloads the subscriptions that receive notifications or a handshake. */
  async refresh(): Promise<void> {
    const next = new Map<string, SubscriptionChannel>();
    // Every page (a search page holds at most 1,000), in id order so that pages neither repeat nor skip.
    for (let offset = 0, more = true; more; offset += refreshPage) {
      const { versions } = await this.#o.engine.repo.search('Subscription', new URLSearchParams({
        status: 'active,requested', _sort: '_id', _count: String(refreshPage), _offset: String(offset),
      }));
      for (const version of versions) {
        try {
          const channel = readSubscription(JSON.parse(version.json!) as Json, this.#o.engine.registry);
          next.set(channel.id, channel);
        } catch {
          // Stored before a rule tightened, or written around the hook: it gets nothing.
        }
      }
      more = versions.length === refreshPage;
    }
    this.#subscriptions = next;
    this.#watched = new Set([...next.values()].filter((c) => c.status === 'active').map((c) => c.resourceType));
  }

  /** Runs the queue soon; calls while it runs make it run once more. */
  nudge(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().catch((err: Error) => {
      this.#o.log.warn({ err: err.message }, 'Subscription delivery pass failed');
    }).finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.nudge();
      }
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    await Promise.all(this.#inFlight);
  }

  /** Resolves once nothing queued is due (tests wait on it rather than sleeping). */
  async idle(): Promise<void> {
    while (this.#running || this.#inFlight.size > 0) {
      await this.#running;
      await Promise.all(this.#inFlight);
    }
  }

  async #drain(): Promise<void> {
    while (!this.#stopped) {
      const matched = await this.#matchChanges();
      await this.#queueHeartbeats();
      const sent = await this.#sendDue();
      if (matched === 0 && sent === 0) return;
    }
  }

  /** Turns committed changes into deliveries for the active subscriptions whose criteria they meet. */
  async #matchChanges(): Promise<number> {
    return this.#o.engine.repo.transaction(async (repo, sql) => {
      const changes = await claimChanges(sql, 200);
      if (changes.length === 0) return 0;
      const active = [...this.#subscriptions.values()].filter((c) => c.status === 'active');
      const rows: Parameters<typeof enqueue>[1][number][] = [];
      for (const change of changes) {
        for (const channel of active) {
          if (channel.resourceType !== change.resource_type) continue;
          if (await matches(repo, channel, change.resource_id)) {
            rows.push({ subscriptionId: channel.id, kind: 'event', resourceType: change.resource_type, resourceId: change.resource_id, event: change.event });
          }
        }
      }
      await enqueue(sql, rows);
      await removeChanges(sql, changes.map((c) => c.id));
      return changes.length;
    });
  }

  /** Backport heartbeats: a subscription that has sent nothing for its period gets one. */
  async #queueHeartbeats(): Promise<void> {
    const beating = [...this.#subscriptions.values()].filter((c) => c.status === 'active' && c.heartbeatSeconds);
    if (beating.length === 0) return;
    const db = this.#o.engine.db;
    const last = await lastSent(db, beating.map((c) => c.id));
    const due = beating.filter((c) => {
      const at = last.get(c.id);
      return at !== undefined && at !== null && Date.now() - at.getTime() >= c.heartbeatSeconds! * 1000;
    });
    if (due.length === 0) return;
    await db.transaction(async (tx) => {
      for (const channel of due) {
        // Only when nothing else is queued for it: any notification also tells the subscriber it lives.
        const pending = await tx.query('SELECT 1 FROM sub_delivery WHERE subscription_id = $1 LIMIT 1', [channel.id]);
        if (pending.rows.length === 0) await enqueue(tx, [{ subscriptionId: channel.id, kind: 'heartbeat' }]);
      }
    });
  }

  async #sendDue(): Promise<number> {
    const leaseSeconds = Math.ceil(this.#o.timeoutMs / 1000) + 30;
    const due = await leaseDue(this.#o.engine.db, 20, leaseSeconds);
    const sends = due.map((delivery) => {
      const p = this.#send(delivery).catch((err: Error) => this.#o.log.warn({ err: err.message, subscription: delivery.subscription_id }, 'Subscription delivery bookkeeping failed'));
      this.#inFlight.add(p);
      return p.finally(() => this.#inFlight.delete(p));
    });
    await Promise.all(sends);
    return due.length;
  }

  async #send(delivery: Delivery): Promise<void> {
    const db = this.#o.engine.db;
    let channel = this.#subscriptions.get(delivery.subscription_id);
    if (!channel) {
      // Committed before this process reloaded its subscriptions (the delivery row commits with it).
      await this.refresh();
      channel = this.#subscriptions.get(delivery.subscription_id);
    }
    if (!channel || (delivery.kind !== 'handshake' && channel.status !== 'active')) {
      // Switched off, in error or deleted since it was queued.
      await dropSubscription(db, delivery.subscription_id);
      return;
    }
    if (channel.transport === 'websocket') {
      // http://hl7.org/fhir/R4/subscription.html, channel websocket: the server sends `ping [id]` to the clients
      // bound to the subscription. There is no endpoint to check: the handshake only activates it.
      if (delivery.kind === 'event') this.#sockets?.ping(channel.id);
      await delivered(db, delivery);
      if (delivery.kind === 'handshake') await this.#setStatus(channel.id, 'active');
      return;
    }
    let focus: { resourceType: string; id: string; json: string; created: boolean } | undefined;
    if (delivery.kind === 'event') {
      try {
        const current = await this.#o.engine.repo.read(delivery.resource_type!, delivery.resource_id!);
        focus = { resourceType: delivery.resource_type!, id: delivery.resource_id!, json: current.json!, created: delivery.event === 'create' };
      } catch {
        await delivered(db, delivery); // deleted since: nothing to tell
        return;
      }
    }
    const eventNumber = (await eventsSent(db, channel.id)) + (delivery.kind === 'event' ? 1 : 0);
    const request = notificationRequest({ channel, kind: delivery.kind, baseUrl: this.#o.baseUrl(), eventNumber, focus });
    const timeoutMs = channel.timeoutSeconds ? channel.timeoutSeconds * 1000 : this.#o.timeoutMs;
    let problem: string | undefined;
    try {
      const res = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) problem = `the endpoint answered HTTP ${res.status}`;
    } catch (err) {
      problem = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `could not reach the endpoint (${(err as Error).message})`;
    }
    if (problem === undefined) {
      await delivered(db, delivery);
      if (delivery.kind === 'handshake') await this.#setStatus(channel.id, 'active');
      return;
    }
    const attempts = delivery.attempts + 1;
    if (attempts >= this.#o.maxAttempts) {
      this.#o.log.warn({ subscription: channel.id, attempts }, 'Subscription endpoint keeps failing: subscription set to error');
      await dropSubscription(db, channel.id);
      await this.#setStatus(channel.id, 'error', `${attempts} notifications in a row failed; the last: ${problem}`);
      return;
    }
    await failed(db, delivery, problem, Math.min(this.#o.retryMs * 2 ** (attempts - 1), this.#o.maxRetryMs) / 1000);
  }

  async #setStatus(id: string, status: 'active' | 'error', error?: string): Promise<void> {
    const repo = this.#o.engine.repo;
    try {
      const current = JSON.parse((await repo.read('Subscription', id)).json!) as Json;
      const next: Json = { ...current, status };
      if (error) next.error = error;
      else delete next.error;
      await repo.update(next as never);
    } catch (err) {
      this.#o.log.warn({ subscription: id, err: (err as Error).message }, 'Could not record the subscription status');
    }
    await this.refresh();
  }
}

/** Whether the current version of the resource meets the criteria (the criteria as a search, plus `_id`). */
async function matches(repo: Repository, channel: SubscriptionChannel, id: string): Promise<boolean> {
  const query = new URLSearchParams(channel.query);
  query.append('_id', id);
  query.set('_summary', 'count');
  const result = await repo.search(channel.resourceType, query);
  return (result.total ?? 0) > 0;
}
