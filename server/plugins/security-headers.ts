// Security headers on every answer (OWASP Secure Headers): the API serves data, never pages to frame
// or scripts to run, so its policy forbids everything; the web app's pages (routes marked
// `plugins: { page: true }`, server/plugins/web.ts) get a policy of their own that lets them run the
// app's own scripts and styles and talk to this origin (fetch, Socket.io). HSTS only where the public
// URL is https (sending it over plain HTTP has no effect and misleads).
import type { Plugin, Request, ResponseToolkit, ResponseObject } from '@hapi/hapi';
import type { Boom } from '@hapi/boom';
import { slipStyleSource } from '../booking/slip.ts';

export interface SecurityHeadersOptions {
  /** Whether clients reach the server over https (PUBLIC_URL https://…). */
  https: boolean;
}

export const apiCsp = "default-src 'none'; frame-ancestors 'none'";
// The desk shows the registration slip (挂号单, server/booking/slip.ts) in a frame from a blob: URL:
// frame-src allows blob: frames only, and style-src that slip's one fixed stylesheet by its hash.
export const pageCsp = `default-src 'self'; script-src 'self'; style-src 'self' ${slipStyleSource}; img-src 'self' data:; connect-src 'self' ws: wss:; `
  + "frame-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
// The image viewer's pages (/radiology…, /emr…; routes marked `page: 'viewer'`): the DICOM codecs of
// cornerstone-wado-image-loader are WebAssembly ('wasm-unsafe-eval'), its decode worker is started
// from a blob: URL and compiles its codecs with eval ('unsafe-eval', worker-src blob:), and it fetches
// its wasm from data: URLs (connect-src data:). Only these pages get that; /book keeps pageCsp.
export const viewerPageCsp = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'; worker-src 'self' blob:; `
  + `style-src 'self' ${slipStyleSource}; img-src 'self' data: blob:; connect-src 'self' ws: wss: data:; `
  + "frame-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const securityHeadersPlugin: Plugin<SecurityHeadersOptions> = {
  name: 'open-his-security-headers',
  register(server, options) {
    const headers: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': apiCsp,
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
    };
    if (options.https) headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
    server.ext('onPreResponse', (request: Request, h: ResponseToolkit) => {
      const response = request.response as ResponseObject | Boom;
      if ('isBoom' in response && response.isBoom) {
        Object.assign(response.output.headers, headers);
      } else {
        const kind = request.route.settings.plugins?.page;
        const page = kind === true || kind === 'viewer';
        const own = (response as ResponseObject).headers['content-security-policy'];
        for (const [name, value] of Object.entries(headers)) {
          // A route that renders a document of its own (a printable slip) sets the narrower policy it needs.
          if (name === 'content-security-policy' && own !== undefined && !page) continue;
          const csp = kind === 'viewer' ? viewerPageCsp : pageCsp;
          (response as ResponseObject).header(name, page && name === 'content-security-policy' ? csp : value);
        }
      }
      return h.continue;
    });
  },
};
