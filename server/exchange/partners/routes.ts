// Administration of exchange partners (admin role only, every change audited), the directory of
// enabled partners for staff, and our public JWKS for the partners that authenticate us with SMART
// Backend Services. Answers never carry a secret or a private key.
import type { Plugin, Request, ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import { requireAdmin } from '../../auth/admin-routes.ts';
import { callerOf, originOf } from '../../plugins/auth.ts';
import type { AuditWriter } from '../../audit/writer.ts';
import { accessChangeEvent } from '../../audit/event.ts';
import type { PartnerInput, PartnerRegistry } from './registry.ts';
import { exchangeError } from '../errors.ts';
import { authError } from '../../auth/errors.ts';

const partnerId = Joi.string().pattern(/^[A-Za-z0-9\-.]{1,64}$/);

const partnerSchema = Joi.object({
  id: partnerId,
  name: Joi.string().trim().min(1).max(200).required(),
  baseUrl: Joi.string().uri({ scheme: ['http', 'https'] }).max(1000).required(),
  organization: Joi.object({ system: Joi.string().max(500).required(), value: Joi.string().max(200).required() }).allow(null),
  auth: Joi.alternatives().try(
    Joi.object({
      kind: Joi.string().valid('client-credentials').required(),
      clientId: Joi.string().max(200).required(),
      tokenUrl: Joi.string().uri({ scheme: ['http', 'https'] }).max(1000),
      secret: Joi.string().min(1).max(1000),
    }),
    Joi.object({
      kind: Joi.string().valid('smart-backend').required(),
      clientId: Joi.string().max(200).required(),
      tokenUrl: Joi.string().uri({ scheme: ['http', 'https'] }).max(1000),
      newKey: Joi.boolean(),
    }),
  ).required(),
  scope: Joi.string().max(2000),
  enabled: Joi.boolean(),
});

export const partnerRoutes: Plugin<{ registry: PartnerRegistry; audit: AuditWriter }> = {
  name: 'open-his-exchange-partner-routes',
  register(server, { registry, audit }) {
    const changed = (request: Request, description: string) =>
      audit.defer(accessChangeEvent({ caller: callerOf(request), origin: originOf(request), description }));
    /** The partner with, for smart-backend, the public JWKS to give to the partner. */
    const view = async (id: string) => {
      const partner = await registry.get(id);
      if (!partner) throw exchangeError('partner-unknown', `No exchange partner ${id}`);
      return partner.auth.kind === 'smart-backend' ? { ...partner, jwks: await registry.publicJwksOf(id) } : partner;
    };
    const routes: ServerRoute[] = [
      // Our public keys (RFC 7517 JWK Set), for partners that register us with a JWKS URL.
      { method: 'GET', path: '/exchange/jwks', options: { auth: false, handler: async (_request, h) => h.response(await registry.publicJwks()).type('application/jwk-set+json') } },
      // The directory clinicians choose from when they refer a patient or fetch a record: enabled
      // partners, names and organisation identifiers only.
      {
        method: 'GET', path: '/exchange/partners',
        async handler(request) {
          const caller = callerOf(request);
          if (caller.kind !== 'staff') throw authError('forbidden', 'The partner directory is for staff');
          return (await registry.list()).filter((p) => p.enabled).map(({ id, name, organization }) => ({ id, name, organization }));
        },
      },
      {
        method: 'GET', path: '/admin/exchange/partners',
        async handler(request) {
          requireAdmin(request);
          return registry.list();
        },
      },
      {
        method: 'GET', path: '/admin/exchange/partners/{id}',
        options: { validate: { params: Joi.object({ id: partnerId.required() }) } },
        async handler(request) {
          requireAdmin(request);
          return view(request.params.id as string);
        },
      },
      {
        method: 'POST', path: '/admin/exchange/partners',
        options: { validate: { payload: partnerSchema } },
        async handler(request, h) {
          requireAdmin(request);
          const input = request.payload as PartnerInput;
          if (input.id && await registry.get(input.id)) throw exchangeError('partner-exists', `A partner ${input.id} is registered already`);
          if (input.auth.kind === 'client-credentials' && !input.auth.secret) {
            throw exchangeError('partner-incomplete', 'A client-credentials partner needs the client secret the partner issued');
          }
          const partner = await registry.save(input);
          changed(request, `Registered exchange partner ${partner.id} (${partner.name}, ${partner.baseUrl}, ${partner.auth.kind})`);
          return h.response(await view(partner.id)).code(201);
        },
      },
      {
        method: 'PUT', path: '/admin/exchange/partners/{id}',
        options: { validate: { params: Joi.object({ id: partnerId.required() }), payload: partnerSchema } },
        async handler(request) {
          requireAdmin(request);
          const id = request.params.id as string;
          if (!await registry.get(id)) throw exchangeError('partner-unknown', `No exchange partner ${id}`);
          const partner = await registry.save({ ...(request.payload as PartnerInput), id });
          changed(request, `Changed exchange partner ${id} (${partner.name}, ${partner.baseUrl}, ${partner.auth.kind}, ${partner.enabled ? 'enabled' : 'disabled'})`);
          return view(id);
        },
      },
      {
        method: 'DELETE', path: '/admin/exchange/partners/{id}',
        options: { validate: { params: Joi.object({ id: partnerId.required() }) } },
        async handler(request, h) {
          requireAdmin(request);
          const id = request.params.id as string;
          if (!await registry.remove(id)) throw exchangeError('partner-unknown', `No exchange partner ${id}`);
          changed(request, `Removed exchange partner ${id}`);
          return h.response().code(204);
        },
      },
    ];
    server.route(routes);
  },
};
