// The administrators' calls for exchange partners (server/exchange/partners/routes.ts): list, read
// (with the public JWKS of a SMART Backend Services partner), register, change, remove. Secrets go
// in and never come back (hasSecret says whether one is stored).
import { requestJson } from '../shared/http.ts';

export type PartnerAuth =
  | { kind: 'client-credentials'; clientId: string; tokenUrl?: string }
  | { kind: 'smart-backend'; clientId: string; tokenUrl?: string; keyId: string };

export interface Partner {
  id: string;
  name: string;
  baseUrl: string;
  organization: { system: string; value: string } | null;
  auth: PartnerAuth;
  scope: string;
  enabled: boolean;
  hasSecret: boolean;
  /** smart-backend: our public keys, to register with the partner. */
  jwks?: { keys: Record<string, unknown>[] };
}

export interface PartnerInput {
  id?: string;
  name: string;
  baseUrl: string;
  organization: { system: string; value: string } | null;
  auth: { kind: 'client-credentials'; clientId: string; tokenUrl?: string; secret?: string }
    | { kind: 'smart-backend'; clientId: string; tokenUrl?: string; newKey?: boolean };
  scope?: string;
  enabled: boolean;
}

const q = encodeURIComponent;
const base = '/admin/exchange/partners';

export const exchangeAdmin = {
  list: () => requestJson<Partner[]>(base, { auth: true }),
  get: (id: string) => requestJson<Partner>(`${base}/${q(id)}`, { auth: true }),
  create: (input: PartnerInput) => requestJson<Partner>(base, { method: 'POST', auth: true, body: input }),
  update: (id: string, input: PartnerInput) => requestJson<Partner>(`${base}/${q(id)}`, { method: 'PUT', auth: true, body: input }),
  remove: (id: string) => requestJson<void>(`${base}/${q(id)}`, { method: 'DELETE', auth: true }),
};

/** What the form holds; turned into a PartnerInput on save. */
export interface PartnerForm {
  id: string;
  name: string;
  baseUrl: string;
  orgSystem: string;
  orgValue: string;
  kind: 'client-credentials' | 'smart-backend';
  clientId: string;
  tokenUrl: string;
  secret: string;
  newKey: boolean;
  scope: string;
  enabled: boolean;
}

export const emptyForm = (): PartnerForm => ({
  id: '', name: '', baseUrl: '', orgSystem: 'https://open-his.example.org/fhir/sid/organization', orgValue: '', kind: 'client-credentials',
  clientId: '', tokenUrl: '', secret: '', newKey: false, scope: 'system/*.*', enabled: true,
});

export function formOf(partner: Partner): PartnerForm {
  return {
    id: partner.id, name: partner.name, baseUrl: partner.baseUrl,
    orgSystem: partner.organization?.system ?? '', orgValue: partner.organization?.value ?? '',
    kind: partner.auth.kind, clientId: partner.auth.clientId, tokenUrl: partner.auth.tokenUrl ?? '',
    secret: '', newKey: false, scope: partner.scope, enabled: partner.enabled,
  };
}

/** The request body. A blank secret on a change keeps the stored one (the server keeps it when none is sent). */
export function inputOf(form: PartnerForm): PartnerInput {
  const tokenUrl = form.tokenUrl.trim() || undefined;
  const common = { clientId: form.clientId.trim(), ...(tokenUrl ? { tokenUrl } : {}) };
  return {
    ...(form.id.trim() ? { id: form.id.trim() } : {}),
    name: form.name.trim(),
    baseUrl: form.baseUrl.trim().replace(/\/+$/, ''),
    organization: form.orgSystem.trim() && form.orgValue.trim() ? { system: form.orgSystem.trim(), value: form.orgValue.trim() } : null,
    auth: form.kind === 'client-credentials'
      ? { kind: 'client-credentials', ...common, ...(form.secret ? { secret: form.secret } : {}) }
      : { kind: 'smart-backend', ...common, ...(form.newKey ? { newKey: true } : {}) },
    ...(form.scope.trim() ? { scope: form.scope.trim() } : {}),
    enabled: form.enabled,
  };
}
