// Request rate limits for the routes attackers hammer: log-in, sign-up, one-time codes, password
// reset. A route opts in with `options.plugins.rateLimit = '<rule id>'` (or several ids); past the
// limit the answer is 429 Too Many Requests (RFC 6585 §4) with Retry-After (RFC 9110 §10.2.3).
// Counters live in this process's memory: with several server processes each one limits on its own.
import type { Plugin, Request, ResponseToolkit, Server } from '@hapi/hapi';
import { tooManyRequests } from '@hapi/boom';
import { clientAddressOf } from './client-address.ts';

declare module '@hapi/hapi' {
  interface PluginSpecificConfiguration {
    /** Id(s) of the rateLimitPlugin rules this route counts against. */
    rateLimit?: string | readonly string[];
  }
}

export interface RateLimiterOptions {
  /** Requests allowed per key within `windowMs` (also the largest burst). */
  limit: number;
  windowMs: number;
  /** Clock in milliseconds; tests pass a fake one. */
  now?: () => number;
  /** Most keys remembered at once; past it the least recently seen key is forgotten. */
  maxKeys?: number;
}

export interface RateLimiter {
  /** Count one request for `key`. */
  take(key: string): { allowed: boolean; retryAfterSeconds: number };
  /** Forget a key, e.g. an account's failed log-ins once it has logged in. */
  reset(key: string): void;
  /** Keys currently remembered. */
  readonly size: number;
}

/**
 * A token bucket per key: `limit` tokens, refilled continuously at `limit` per `windowMs`, one
 * spent per allowed request. Refused requests spend nothing, so a client that waits out
 * Retry-After gets in. A key idle for a whole window has a full bucket again, which is the same
 * as not being remembered: such keys are dropped, so memory follows the keys active in the last
 * window, and `maxKeys` bounds it even under a flood of distinct keys.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, windowMs } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('a rate limit is a positive whole number of requests');
  if (!(windowMs > 0)) throw new RangeError('a rate-limit window is a positive number of milliseconds');
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('a rate limiter remembers at least one key');
  const perMs = limit / windowMs;
  // Map order is least recently used first: every take re-inserts its key at the end.
  const buckets = new Map<string, { tokens: number; at: number }>();

  function evict(time: number): void {
    for (const [key, bucket] of buckets) {
      if (time - bucket.at < windowMs && buckets.size <= maxKeys) break;
      buckets.delete(key);
    }
  }

  return {
    take(key) {
      const time = now();
      const bucket = buckets.get(key);
      const elapsed = bucket ? Math.max(0, time - bucket.at) : windowMs;
      const tokens = Math.min(limit, (bucket?.tokens ?? limit) + elapsed * perMs);
      buckets.delete(key);
      if (tokens >= 1) {
        buckets.set(key, { tokens: tokens - 1, at: time });
        evict(time);
        return { allowed: true, retryAfterSeconds: 0 };
      }
      buckets.set(key, { tokens, at: time });
      evict(time);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
    },
    reset(key) {
      buckets.delete(key);
    },
    get size() {
      return buckets.size;
    },
  };
}

export interface RateLimitRule {
  id: string;
  limit: number;
  windowMs: number;
  /** What is counted; default the client address (plugins/client-address.ts: the forwarded one behind a trusted proxy). */
  key?: (request: Request) => string;
  /**
   * When the rule is checked. 'onPreAuth' (default) refuses before the payload is read or
   * credentials are checked; 'onPostAuth' when the key reads request.payload or request.auth.
   */
  stage?: 'onPreAuth' | 'onPostAuth';
}

export interface RateLimitOptions {
  rules: readonly RateLimitRule[];
  now?: () => number;
}

function routeRuleIds(request: Request): readonly string[] {
  const value = request.route.settings.plugins?.rateLimit;
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

export const rateLimitPlugin: Plugin<RateLimitOptions> = {
  name: 'open-his-rate-limit',
  register(server: Server, options: RateLimitOptions) {
    const rules = new Map<string, { rule: RateLimitRule; limiter: RateLimiter }>();
    for (const rule of options.rules) {
      if (rules.has(rule.id)) throw new Error(`rate-limit rule "${rule.id}" is defined twice`);
      rules.set(rule.id, { rule, limiter: createRateLimiter({ limit: rule.limit, windowMs: rule.windowMs, now: options.now }) });
    }

    // A route naming a rule that does not exist would silently go unprotected: refuse to start.
    server.ext('onPreStart', () => {
      for (const route of server.table()) {
        const value = route.settings.plugins?.rateLimit;
        const ids = value === undefined ? [] : typeof value === 'string' ? [value] : value;
        for (const id of ids) {
          if (!rules.has(id)) throw new Error(`route ${route.method.toUpperCase()} ${route.path} names unknown rate-limit rule "${id}"`);
        }
      }
    });

    function check(stage: 'onPreAuth' | 'onPostAuth') {
      return (request: Request, h: ResponseToolkit) => {
        let retryAfterSeconds = 0;
        for (const id of routeRuleIds(request)) {
          const entry = rules.get(id);
          if (!entry) throw new Error(`unknown rate-limit rule "${id}"`);
          if ((entry.rule.stage ?? 'onPreAuth') !== stage) continue;
          const key = entry.rule.key ? entry.rule.key(request) : clientAddressOf(request);
          const result = entry.limiter.take(key);
          if (!result.allowed) retryAfterSeconds = Math.max(retryAfterSeconds, result.retryAfterSeconds);
        }
        if (retryAfterSeconds === 0) return h.continue;
        const error = tooManyRequests('Too many requests: try again later');
        error.output.headers['Retry-After'] = String(retryAfterSeconds);
        throw error;
      };
    }
    server.ext('onPreAuth', check('onPreAuth'));
    server.ext('onPostAuth', check('onPostAuth'));
  },
};
