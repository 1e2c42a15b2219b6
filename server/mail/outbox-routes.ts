// GET /dev/outbox and GET /dev/outbox/{file}: the mail a server without SMTP kept (outbox.ts), for
// administrators. The full recipient addresses are shown: it is their hospital's mail. Registered
// only when no SMTP server is configured, so a production installation has no such routes.
import type { Plugin } from '@hapi/hapi';
import Joi from 'joi';
import { requireAdmin } from '../auth/admin-routes.ts';
import { authError } from '../auth/errors.ts';
import { outboxFileName, type Outbox } from './outbox.ts';

export const outboxRoutes: Plugin<{ outbox: Outbox }> = {
  name: 'open-his-outbox-routes',
  register(server, { outbox }) {
    server.route([
      {
        method: 'GET', path: '/dev/outbox',
        async handler(request, h) {
          requireAdmin(request);
          return h.response(await outbox.list()).header('cache-control', 'no-store');
        },
      },
      {
        method: 'GET', path: '/dev/outbox/{file}',
        options: {
          // Only outbox names: no separators, no dots but the one before the fixed suffix, so a
          // name cannot leave the folder however it was encoded in the URL.
          validate: { params: Joi.object({ file: Joi.string().pattern(outboxFileName).required() }) },
          async handler(request, h) {
            requireAdmin(request);
            const file = request.params.file as string;
            const raw = await outbox.read(file);
            if (!raw) throw authError('not-found', 'No such message in the outbox');
            return h.response(raw)
              .type('message/rfc822')
              .header('content-disposition', `attachment; filename="${file}"`)
              .header('cache-control', 'no-store');
          },
        },
      },
    ]);
  },
};
