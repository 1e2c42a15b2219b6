// The client's address, for audit records and rate limits. Behind a reverse proxy (TRUST_PROXY) the
// socket's peer is the proxy; the client is the address the proxy appended to X-Forwarded-For — the
// last entry, the only one the proxy vouches for (earlier entries are whatever the client sent).
import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';

declare module '@hapi/hapi' {
  interface RequestApplicationState {
    clientAddress?: string;
  }
}

export function clientAddressOf(request: Request): string {
  return request.app.clientAddress ?? request.info.remoteAddress;
}

export const clientAddressPlugin: Plugin<{ trustProxy: boolean }> = {
  name: 'open-his-client-address',
  register(server, { trustProxy }) {
    server.ext('onRequest', (request: Request, h: ResponseToolkit) => {
      const forwarded = trustProxy ? request.headers['x-forwarded-for'] : undefined;
      const last = typeof forwarded === 'string' ? forwarded.split(',').pop()?.trim() : undefined;
      request.app.clientAddress = last && /^[0-9a-fA-F.:]{2,45}$/.test(last) ? last : request.info.remoteAddress;
      return h.continue;
    });
  },
};
