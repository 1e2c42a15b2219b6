// SMART on FHIR scopes (http://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html): v1
// `patient/Observation.read`, `user/*.*`, `system/*.write`, and v2 `patient/Observation.rs`,
// `user/*.cruds`. A scope never adds to what the user's role allows; it narrows it.
import type { Interaction } from '../../fhir/index.ts';

export type ScopeContext = 'patient' | 'user' | 'system';

export interface ScopeGrant {
  context: ScopeContext;
  /** A resource type or `*`. */
  resourceType: string;
  interactions: ReadonlySet<Interaction>;
}

export interface ParsedScopes {
  grants: ScopeGrant[];
  /** `launch/patient`: the app asks to be given a patient in context. */
  launchPatient: boolean;
  offlineAccess: boolean;
  openid: boolean;
  /** Scopes this server does not know, left out of what it grants. */
  unknown: string[];
}

const v1: Record<string, Interaction[]> = {
  read: ['read', 'vread', 'search', 'history'],
  write: ['create', 'update', 'patch', 'delete'],
  '*': ['read', 'vread', 'search', 'history', 'create', 'update', 'patch', 'delete'],
};
// v2 letters (scopes-and-launch-context.html#scopes-for-requesting-fhir-resources), in this order.
const v2: Record<string, Interaction[]> = {
  c: ['create'], r: ['read', 'vread', 'history'], u: ['update', 'patch'], d: ['delete'], s: ['search'],
};
const scopePattern = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$/;

export function parseScopes(scope: string | undefined): ParsedScopes {
  const out: ParsedScopes = { grants: [], launchPatient: false, offlineAccess: false, openid: false, unknown: [] };
  for (const s of (scope ?? '').split(/\s+/).filter(Boolean)) {
    if (s === 'launch/patient' || s === 'launch') { out.launchPatient = true; continue; }
    if (s === 'offline_access' || s === 'online_access') { out.offlineAccess ||= s === 'offline_access'; continue; }
    if (s === 'openid' || s === 'fhirUser' || s === 'profile') { out.openid ||= s === 'openid'; continue; }
    const m = scopePattern.exec(s);
    if (!m || m[3] === '') { out.unknown.push(s); continue; }
    const action = m[3]!;
    const interactions = v1[action] ?? [...action].flatMap((letter) => v2[letter] ?? []);
    out.grants.push({ context: m[1] as ScopeContext, resourceType: m[2]!, interactions: new Set(interactions) });
  }
  return out;
}

/** Operations that change data: an app needs write scope on the type to invoke them. */
const changingOperations: ReadonlySet<string> = new Set(['reindex', 'hold', 'book', 'cancel', 'reschedule', 'check-in']);

/** Whether the grants of these contexts allow the interaction. Operations need read (or, changing data, write) on the type. */
export function scopesAllow(grants: readonly ScopeGrant[], contexts: readonly ScopeContext[], resourceType: string, interaction: Interaction, operation?: string): boolean {
  const needed: Interaction = interaction === 'operation' ? (operation !== undefined && changingOperations.has(operation) ? 'update' : 'read') : interaction;
  return grants.some((g) => contexts.includes(g.context)
    && (g.resourceType === '*' || g.resourceType === resourceType || (interaction === 'operation' && resourceType === '*'))
    && g.interactions.has(needed));
}

/** The scopes granted: those asked for that the client may have (space-separated, as OAuth writes them). */
export function grantScopes(requested: string | undefined, allowed: string): string {
  const allowedSet = new Set(allowed.split(/\s+/).filter(Boolean));
  const asked = (requested ?? allowed).split(/\s+/).filter(Boolean);
  return asked.filter((s) => allowedSet.has(s) || coveredBy(s, allowedSet)).join(' ');
}

/** `patient/Observation.read` is covered by an allowed `patient/*.read`; `user/Patient.rs` by `user/*.*`. */
function coveredBy(scope: string, allowed: ReadonlySet<string>): boolean {
  const m = scopePattern.exec(scope);
  if (!m) return false;
  const wanted = parseScopes(scope).grants[0];
  if (!wanted) return false;
  const grants = parseScopes([...allowed].join(' ')).grants;
  return [...wanted.interactions].every((i) => scopesAllow(grants.filter((g) => g.context === wanted.context), [wanted.context], wanted.resourceType, i));
}
