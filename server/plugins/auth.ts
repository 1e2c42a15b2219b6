// Who is calling: every request's bearer token becomes a Caller (server/auth/caller.ts) in
// request.auth.credentials; a request without one is anonymous. Deny by default: a route serves
// anonymous callers only when it says it is public (`options.plugins.public`), and the FHIR routes
// are public only where the policy grants the `anonymous` role something (the booking directory).
import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';
import type { AuthService } from '../auth/service.ts';
import { bearerChallenge } from '../auth/service.ts';
import { authError } from '../auth/errors.ts';
import type { Caller } from '../auth/caller.ts';
import type { AuditWriter } from '../audit/writer.ts';
import { clientAddressOf } from './client-address.ts';
import { authenticationEvent, type RequestOrigin } from '../audit/event.ts';

declare module '@hapi/hapi' {
  interface PluginSpecificConfiguration {
    /** Served to callers without credentials. */
    public?: boolean;
  }
  interface UserCredentials {
    caller: Caller;
  }
}

export interface AuthPluginOptions {
  service: AuthService;
  audit: AuditWriter;
}

export function callerOf(request: Request): Caller {
  return (request.auth.credentials as { caller?: Caller } | null)?.caller ?? { kind: 'anonymous' };
}

export function originOf(request: Request): RequestOrigin {
  return { ip: clientAddressOf(request), userAgent: request.headers['user-agent'] as string | undefined };
}

export const authPlugin: Plugin<AuthPluginOptions> = {
  name: 'open-his-auth',
  register(server, options) {
    server.auth.scheme('open-his-bearer', () => ({
      async authenticate(request: Request, h: ResponseToolkit) {
        try {
          const caller = await options.service.caller(request.headers.authorization as string | undefined);
          return h.authenticated({ credentials: { caller } });
        } catch (err) {
          options.audit.defer(authenticationEvent({
            kind: 'denied', caller: { kind: 'anonymous' }, origin: originOf(request), success: false,
            reason: (err as Error).message, path: `${request.method.toUpperCase()} ${request.path}`,
          }));
          throw err;
        }
      },
    }));
    server.auth.strategy('open-his', 'open-his-bearer');
    server.auth.default('open-his');

    server.ext('onPostAuth', (request: Request, h: ResponseToolkit) => {
      if ((request.route.settings.auth as unknown) === false || request.route.settings.plugins?.public) return h.continue;
      if (callerOf(request).kind !== 'anonymous') return h.continue;
      options.audit.defer(authenticationEvent({
        kind: 'denied', caller: { kind: 'anonymous' }, origin: originOf(request), success: false,
        reason: 'No credentials', path: `${request.method.toUpperCase()} ${request.path}`,
      }));
      throw authError('unauthenticated', 'Log in first: this needs an access token', bearerChallenge());
    });
  },
};
