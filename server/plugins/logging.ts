// Structured logs with pino. Query strings and bodies can carry patient data (a name search, a
// resource): requests are logged by path only, and credentials are redacted.
import type { Plugin } from '@hapi/hapi';
import hapiPino from 'hapi-pino';

export function loggingPlugin(level: string): { plugin: Plugin<unknown>; options: Record<string, unknown> } {
  return {
    plugin: hapiPino as unknown as Plugin<unknown>,
    options: {
      level,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
      serializers: {
        req: (req: { id?: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id, method: req.method, path: String(req.url).split('?')[0],
        }),
      },
      ignorePaths: ['/health/live', '/health/ready'],
      logPayload: false,
      logQueryParams: false,
      logPathParams: false,
    },
  };
}
