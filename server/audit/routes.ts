// GET /admin/audit/verify: the same walk as `npm run audit:verify`, through the running server (the
// embedded database admits one process, so with PGlite this is how a running system is checked).
import type { Plugin } from '@hapi/hapi';
import type { Database } from '../../fhir/index.ts';
import { verifyAuditChain } from './verify.ts';
import { requireAdmin } from '../auth/admin-routes.ts';

export const auditRoutes: Plugin<{ db: Database }> = {
  name: 'open-his-audit-routes',
  register(server, { db }) {
    server.route({
      method: 'GET', path: '/admin/audit/verify',
      async handler(request) {
        requireAdmin(request);
        return verifyAuditChain(db);
      },
    });
  },
};
