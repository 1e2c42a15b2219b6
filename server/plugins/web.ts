// The web app (web/dist, built by `npm run build:web`): hashed assets under /assets with a year's
// cache, and index.html — no-cache, with the page CSP (security-headers.ts) — for the client-side
// routes the app knows (/, /book…, the staff pages /admin… and /desk…, the radiology pages /radiology…
// and the doctors' /emr…, which get the viewer's wider CSP). Without a build the server runs API-only and says so.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin, Request, ResponseObject, ResponseToolkit } from '@hapi/hapi';
import type { Boom } from '@hapi/boom';
import Inert from '@hapi/inert';

export const defaultWebDist = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * Client-side routes of the app: each answers with index.html.
 * The API routes under /admin (/admin/accounts…) are more specific, so hapi still routes them to the API.
 */
export const appRoutes = ['/', '/book', '/book/{path*}', '/admin', '/admin/{path*}', '/desk', '/desk/{path*}'];
/**
 * Pages that open the image viewer (the DICOM codecs need WebAssembly and a blob: worker, so they get
 * viewerPageCsp); the radiology API routes (/radiology/worklist, /radiology/studies/{uid}/report…) are
 * more specific and stay API routes.
 */
export const viewerRoutes = ['/radiology', '/radiology/{path*}', '/emr', '/emr/{path*}'];

export interface WebPluginOptions {
  /** The built app; default web/dist of the repository. */
  dist?: string;
  log: { warn(message: string): void };
}

declare module '@hapi/hapi' {
  interface PluginSpecificConfiguration {
    /** A web page (HTML): gets the page CSP instead of the API's ('viewer': the image viewer's CSP). */
    page?: boolean | 'viewer';
    /** A hashed, immutable asset of the web app. */
    webAsset?: boolean;
  }
}

export const webPlugin: Plugin<WebPluginOptions> = {
  name: 'open-his-web',
  async register(server, options) {
    const dist = options.dist ?? defaultWebDist;
    const index = join(dist, 'index.html');
    if (!existsSync(index)) {
      options.log.warn(`No web app at ${dist} (run npm run build:web): serving the API only`);
      return;
    }
    await server.register(Inert, { once: true });

    server.route({
      method: 'GET', path: '/assets/{file*}',
      options: {
        auth: false,
        plugins: { public: true, webAsset: true },
        handler: { directory: { path: join(dist, 'assets'), index: false, listing: false, redirectToSlash: false } },
      },
    });
    for (const path of [...appRoutes, ...viewerRoutes]) {
      server.route({
        method: 'GET', path,
        options: {
          auth: false,
          plugins: { public: true, page: viewerRoutes.includes(path) ? 'viewer' : true },
          handler: (_request: Request, h: ResponseToolkit) => h.file(index, { confine: false }).header('cache-control', 'no-cache'),
        },
      });
    }
    server.ext('onPreResponse', (request: Request, h: ResponseToolkit) => {
      const response = request.response as ResponseObject | Boom;
      if (request.route.settings.plugins?.webAsset && !('isBoom' in response && response.isBoom)) {
        (response as ResponseObject).header('cache-control', 'public, max-age=31536000, immutable');
      }
      return h.continue;
    }, { sandbox: 'plugin' });
  },
};
