// Liveness (the process answers) and readiness (the database answers) for orchestrators.
import type { Plugin } from '@hapi/hapi';
import type { Database } from '../../fhir/index.ts';

export const healthPlugin: Plugin<{ db: Database }> = {
  name: 'open-his-health',
  register(server, { db }) {
    server.route({ method: 'GET', path: '/health/live', options: { auth: false }, handler: () => ({ status: 'live' }) });
    server.route({
      method: 'GET', path: '/health/ready', options: { auth: false },
      async handler(_request, h) {
        try {
          await db.query('SELECT 1');
          return { status: 'ready', database: db.kind };
        } catch {
          return h.response({ status: 'unavailable', database: db.kind }).code(503);
        }
      },
    });
  },
};
