// The caller of a request, as established by its access token, and the engine Access it gets.
import type { Access, Interaction } from '../../fhir/index.ts';
import { bookingDirectory, roleAllows, type Role } from './policy.ts';

/** The booking directory is public: patients read it whole, even the parts in their compartment's types (Schedule). */
const openTypes: ReadonlySet<string> = new Set(bookingDirectory);
import { parseScopes, scopesAllow, type ScopeGrant } from './scopes.ts';

export type Caller =
  | { kind: 'anonymous' }
  | {
    kind: 'staff' | 'patient';
    accountId: string;
    /** Log-in name or e-mail, for audit records. */
    login: string;
    roles: Role[];
    /** Practitioner / Patient the account stands for (the audit record's agent). */
    fhirUser?: string;
    /** Patient accounts: their own Patient id and those of the people they are a proxy for. */
    patients?: string[];
    sessionId?: string;
    /** Present when an app acts for the user (SMART): narrows the roles. */
    scope?: string;
    /** SMART launch context patient. */
    launchPatient?: string;
    clientId?: string;
  }
  | { kind: 'client'; clientId: string; scope: string; sessionId?: string };

function describe(caller: Caller): string {
  if (caller.kind === 'anonymous') return 'not logged in';
  if (caller.kind === 'client') return `client ${caller.clientId} with scopes ${caller.scope || '(none)'}`;
  return `role ${caller.roles.join(', ')}${caller.scope !== undefined ? ` and scopes ${caller.scope || '(none)'}` : ''}`;
}

export function accessFor(caller: Caller): Access {
  if (caller.kind === 'anonymous') {
    return { allows: (t, i, op) => roleAllows(['anonymous'], t, i, op), describe: describe(caller) };
  }
  if (caller.kind === 'client') {
    // A system client (client_credentials) has what its system/ scopes grant, on the whole server.
    const grants = parseScopes(caller.scope).grants;
    return { allows: (t, i, op) => scopesAllow(grants, ['system'], t, i, op), describe: describe(caller) };
  }
  const byRole = (t: string, i: Interaction, op?: string) => roleAllows(caller.roles, t, i, op);
  if (caller.scope === undefined) {
    return { allows: byRole, describe: describe(caller), ...(caller.kind === 'patient' ? { patients: caller.patients ?? [], openTypes } : {}) };
  }
  // An app acting for the user. patient/ scopes bound it to the launch patient (or the patient's own
  // compartments); user/ scopes leave the user's reach as it is.
  const grants: ScopeGrant[] = parseScopes(caller.scope).grants;
  const userLevel = grants.some((g) => g.context === 'user');
  const contexts = userLevel ? ['user', 'patient'] as const : ['patient'] as const;
  let patients = caller.kind === 'patient' ? caller.patients ?? [] : undefined;
  if (!userLevel) {
    const launch = caller.launchPatient;
    patients = launch !== undefined && (patients === undefined || patients.includes(launch)) ? [launch] : patients ?? [];
  }
  return {
    allows: (t, i, op) => byRole(t, i, op) && scopesAllow(grants, contexts, t, i, op),
    describe: describe(caller),
    ...(patients !== undefined ? { patients, openTypes } : {}),
  };
}
