// Account administration: administrators create staff accounts, change roles, disable accounts
// (which ends their sessions at once) and reset passwords.
import type { Plugin, Request, ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import type { AuthService } from './service.ts';
import { authError } from './errors.ts';
import { hashPassword, passwordProblem } from './password.ts';
import { staffRoles } from './policy.ts';
import { accountView } from './routes.ts';
import { callerOf, originOf } from '../plugins/auth.ts';
import type { AuditWriter } from '../audit/writer.ts';
import { accessChangeEvent } from '../audit/event.ts';

export function requireAdmin(request: Request): void {
  const caller = callerOf(request);
  const isAdmin = caller.kind === 'staff' && caller.roles.includes('admin') && caller.scope === undefined;
  const isSystem = caller.kind === 'client' && /(^|\s)system\/\*\.(\*|write|cruds)(\s|$)/.test(caller.scope);
  if (!isAdmin && !isSystem) throw authError('forbidden', 'Only administrators manage accounts');
}

const role = Joi.string().valid(...staffRoles);

export const adminRoutes: Plugin<{ service: AuthService; audit: AuditWriter }> = {
  name: 'open-his-admin-routes',
  register(server, { service, audit }) {
    const changed = (request: Request, description: string) =>
      audit.defer(accessChangeEvent({ caller: callerOf(request), origin: originOf(request), description }));
    const routes: ServerRoute[] = [
      {
        method: 'GET', path: '/admin/accounts',
        async handler(request) {
          requireAdmin(request);
          const kind = request.query.kind as 'staff' | 'patient' | undefined;
          return (await service.accounts.list(kind === 'staff' || kind === 'patient' ? kind : undefined)).map((a) => accountView(a));
        },
      },
      {
        method: 'POST', path: '/admin/accounts',
        options: {
          validate: {
            payload: Joi.object({
              username: Joi.string().pattern(/^[a-z0-9][a-z0-9._-]{1,63}$/i).required(),
              password: Joi.string().max(1024).required(),
              roles: Joi.array().items(role).min(1).unique().required(),
              displayName: Joi.string().max(200),
              email: Joi.string().email().max(256),
              practitionerId: Joi.string().pattern(/^[A-Za-z0-9\-.]{1,64}$/),
              practitionerRoleId: Joi.string().pattern(/^[A-Za-z0-9\-.]{1,64}$/),
            }),
          },
          async handler(request, h) {
            requireAdmin(request);
            const input = request.payload as { username: string; password: string; roles: typeof staffRoles[number][]; displayName?: string; email?: string; practitionerId?: string; practitionerRoleId?: string };
            const problem = passwordProblem(input.password, [input.username]);
            if (problem) throw authError('weak-password', problem);
            const account = await service.accounts.create({
              kind: 'staff', username: input.username, email: input.email, passwordHash: await hashPassword(input.password), roles: input.roles,
              displayName: input.displayName, practitionerId: input.practitionerId, practitionerRoleId: input.practitionerRoleId,
            });
            changed(request, `Created staff account ${account.id} (${account.username}) with roles ${input.roles.join(', ')}`);
            return h.response(accountView(account)).code(201);
          },
        },
      },
      {
        method: 'PATCH', path: '/admin/accounts/{id}',
        options: {
          validate: {
            params: Joi.object({ id: Joi.string().guid().required() }),
            payload: Joi.object({ disabled: Joi.boolean(), roles: Joi.array().items(role).min(1).unique(), password: Joi.string().max(1024) }).min(1),
          },
          async handler(request) {
            requireAdmin(request);
            const id = request.params.id as string;
            const account = await service.accounts.byId(id);
            if (!account) throw authError('not-found', 'No such account');
            const input = request.payload as { disabled?: boolean; roles?: typeof staffRoles[number][]; password?: string };
            if (input.roles && account.kind !== 'staff') throw authError('invalid-request', 'Patient accounts have no staff roles');
            if (input.password !== undefined) {
              const problem = passwordProblem(input.password, [account.username ?? '', account.email ?? '']);
              if (problem) throw authError('weak-password', problem);
              await service.accounts.setPassword(id, await hashPassword(input.password));
              await service.sessions.revokeAccount(id);
            }
            if (input.roles) {
              await service.accounts.setRoles(id, input.roles);
              await service.sessions.revokeAccount(id); // tokens carry roles: new ones on next log-in
            }
            if (input.disabled !== undefined) {
              await service.accounts.setDisabled(id, input.disabled);
              if (input.disabled) await service.sessions.revokeAccount(id);
            }
            changed(request, `Changed account ${id}: ${Object.keys(input).map((k) => (k === 'password' ? 'password reset' : `${k} = ${JSON.stringify((input as Record<string, unknown>)[k])}`)).join(', ')}`);
            return accountView((await service.accounts.byId(id))!);
          },
        },
      },
    ];
    server.route(routes);
  },
};
