// Building AuditEvents (http://hl7.org/fhir/R4/auditevent.html) in the style of IHE Basic Audit Log
// Patterns (BALP): one event per request — who (agent, with role and network address), what (the
// resources touched, the patients they are about, the query), when, and the outcome.
import type { InteractionRecord, Resource, TouchedResource } from '../../fhir/index.ts';
import type { Caller } from '../auth/caller.ts';

export interface RequestOrigin {
  ip?: string;
  userAgent?: string;
}

const restType = { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' };
const dcm = 'http://dicom.nema.org/resources/ontology/DCM';
const interactionSystem = 'http://hl7.org/fhir/restful-interaction';
const roleSystem = 'http://open-his.org/fhir/CodeSystem/staff-role';
const userAgentExtension = 'http://open-his.org/fhir/StructureDefinition/user-agent';
const oauthClientExtension = 'http://open-his.org/fhir/StructureDefinition/oauth-client';
const oauthScopeExtension = 'http://open-his.org/fhir/StructureDefinition/oauth-scope';
const maxPatients = 1000;
const maxResources = 100;

/** BALP outcome codes (http://hl7.org/fhir/R4/valueset-audit-event-outcome.html). */
function outcomeCode(status: number): '0' | '4' | '8' {
  return status < 400 ? '0' : status < 500 ? '4' : '8';
}

export function agentOf(caller: Caller, origin: RequestOrigin): Record<string, unknown> {
  const network = origin.ip ? { network: { address: origin.ip, type: '2' } } : {};
  // agent.policy holds URIs; the OAuth client and scopes an app acted with go in extensions.
  const extensions = [
    ...(origin.userAgent ? [{ url: userAgentExtension, valueString: origin.userAgent.slice(0, 256) }] : []),
    ...(caller.kind !== 'anonymous' && caller.clientId ? [{ url: oauthClientExtension, valueString: caller.clientId }] : []),
    ...(caller.kind !== 'anonymous' && caller.scope ? [{ url: oauthScopeExtension, valueString: caller.scope.slice(0, 1000) }] : []),
  ];
  const extension = extensions.length > 0 ? { extension: extensions } : {};
  if (caller.kind === 'anonymous') {
    return { ...extension, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type', code: 'humanuser', display: 'human user' }] },
      who: { display: 'anonymous' }, requestor: true, ...network };
  }
  if (caller.kind === 'client') {
    return { ...extension, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type', code: 'dataprocessor', display: 'data processor' }] },
      who: { identifier: { system: 'urn:ietf:rfc:6749:client_id', value: caller.clientId }, display: caller.clientId }, requestor: true, ...network };
  }
  return {
    ...extension,
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type', code: 'humanuser', display: 'human user' }] },
    role: caller.roles.map((r) => ({ coding: [{ system: roleSystem, code: r }] })),
    who: { ...(caller.fhirUser ? { reference: caller.fhirUser } : {}), display: caller.login },
    altId: caller.accountId,
    name: caller.login,
    requestor: true,
    ...network,
  };
}

const source = { site: 'Open HIS', observer: { display: 'Open HIS server' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] };

/** The patient a stored resource is about, found in its JSON without parsing it. */
const patientReference = /\s*:\s*\{[^{}]*?"reference"\s*:\s*"Patient\/([A-Za-z0-9\-.]{1,64})"/y;
const patientKeys = ['"subject"', '"patient"', '"beneficiary"'];

export function patientOf(t: TouchedResource): string | undefined {
  if (t.resourceType === 'Patient') return t.id;
  if (!t.json || t.resourceType === 'AuditEvent') return undefined;
  // indexOf finds the few candidate keys fast; the regex then reads only from there (every read runs this).
  for (const key of patientKeys) {
    for (let at = t.json.indexOf(key); at >= 0; at = t.json.indexOf(key, at + 1)) {
      patientReference.lastIndex = at + key.length;
      const m = patientReference.exec(t.json);
      if (m) return m[1];
    }
  }
  return undefined;
}

const patientEntity = (patient: string) => ({
  what: { reference: `Patient/${patient}` }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
  role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
});

/**
 * One resource read or written (BALP: role 4 Domain Resource). Kept to what and role: an AuditEvent
 * of a chart opened names dozens of them, and every byte is written twice and hashed.
 */
export function resourceEntity(reference: string): Record<string, unknown> {
  return { what: { reference }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '4' } };
}

/** The reference an entity names a touched resource by: versioned when the version is known. */
export function resourceReference(t: TouchedResource): string {
  return `${t.resourceType}/${t.id}${t.versionId ? `/_history/${t.versionId}` : ''}`;
}

export function resourceEntities(touched: readonly TouchedResource[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const t of touched) {
    const ref = resourceReference(t);
    if (seen.has(ref) || t.resourceType === 'Patient') continue;
    seen.add(ref);
    if (seen.size > maxResources) break;
    out.push(resourceEntity(ref));
  }
  return out;
}

const readSubtype = { code: 'read', action: 'R' } as const;

export function subtypeOf(record: InteractionRecord): { code: string; action: 'C' | 'R' | 'U' | 'D' | 'E' } {
  const req = record.request;
  // The commonest request, GET Type/id, without splitting the path.
  if (req.method === 'GET') {
    const slash = req.path.indexOf('/');
    if (slash > 0 && req.path.indexOf('/', slash + 1) < 0 && !req.path.includes('$') && !req.path.endsWith('/_history') && !req.path.endsWith('/_search')) return readSubtype;
  }
  const segments = req.path.split('/').filter(Boolean);
  const operation = segments.find((s) => s.startsWith('$'));
  if (operation) return { code: operation, action: 'E' };
  if (segments.includes('_history')) return segments.length === 4 ? { code: 'vread', action: 'R' } : { code: 'history', action: 'R' };
  if (segments[0] === 'metadata') return { code: 'capabilities', action: 'R' };
  if (req.method === 'POST' && segments.length === 0) {
    return { code: (req.body as { type?: string } | undefined)?.type === 'batch' ? 'batch' : 'transaction', action: 'E' };
  }
  if (req.method === 'GET' || req.method === 'HEAD' || segments.includes('_search')) {
    return segments.length === 2 && !segments.includes('_search') ? { code: 'read', action: 'R' } : { code: 'search', action: 'E' };
  }
  if (req.method === 'POST') return { code: 'create', action: 'C' };
  if (req.method === 'DELETE') return { code: 'delete', action: 'D' };
  return { code: req.method === 'PATCH' ? 'patch' : 'update', action: 'U' };
}

/** The query a request's AuditEvent names: a search's (even empty) or any query string; undefined for none. */
export function recordQuery(record: InteractionRecord): string | undefined {
  return record.request.query.size > 0 || subtypeOf(record).code === 'search' ? record.request.query.toString() : undefined;
}

/** BALP Query entity (object role 24): the request and its query string, base64 as AuditEvent.entity.query is. */
export function queryEntity(record: InteractionRecord, query: string): Record<string, unknown> {
  return {
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
    role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '24', display: 'Query' },
    description: `${record.request.method} ${record.request.path}`.slice(0, 1000),
    ...(query ? { query: Buffer.from(query).toString('base64') } : {}),
  };
}

/**
 * The AuditEvents of one FHIR request; none for the CapabilityStatement, which holds no patient data.
 * A request that touched several patients' records gets one event per patient, each naming only that
 * patient's resources (BALP: one AuditEvent per patient), plus one without any patient that keeps the
 * query: a patient reading her access log sees who opened her record, never who else was in the same
 * answer or what was searched for.
 */
export function fhirAuditEvents(record: InteractionRecord, caller: Caller, origin: RequestOrigin, now = new Date()): Resource[] {
  const subtype = subtypeOf(record);
  if (subtype.code === 'capabilities') return [];
  const byPatient = new Map<string, TouchedResource[]>();
  const other: TouchedResource[] = [];
  for (const t of record.touched) {
    const patient = patientOf(t);
    if (patient === undefined) other.push(t);
    else if (byPatient.has(patient)) byPatient.get(patient)!.push(t);
    else if (byPatient.size < maxPatients) byPatient.set(patient, [t]);
  }
  const query = recordQuery(record);
  const queryEntities = query === undefined ? [] : [queryEntity(record, query)];
  const event = (entity: Record<string, unknown>[]): Resource => ({
    resourceType: 'AuditEvent',
    type: restType,
    subtype: [{ system: interactionSystem, code: subtype.code }],
    action: subtype.action,
    recorded: now.toISOString(),
    outcome: outcomeCode(record.status),
    ...(record.error ? { outcomeDesc: `${record.status} ${record.error.code}: ${record.error.message}`.slice(0, 1000) } : {}),
    agent: [agentOf(caller, origin)],
    source,
    entity: entity.length > 0 ? entity : [{ description: `${record.request.method} ${record.request.path}`.slice(0, 1000) }],
  });
  if (byPatient.size <= 1) {
    const [patient] = byPatient.keys();
    return [event([...(patient ? [patientEntity(patient)] : []), ...resourceEntities(record.touched), ...queryEntities])];
  }
  return [
    event([...resourceEntities(other), ...queryEntities]),
    ...[...byPatient].map(([patient, touched]) => event([patientEntity(patient), ...resourceEntities(touched)])),
  ];
}

/** Log-in, log-out and refused credentials (DICOM PS3.15 A.5.3.8 User Authentication, 110114). */
export function authenticationEvent(input: {
  kind: 'login' | 'logout' | 'denied';
  caller: Caller;
  origin: RequestOrigin;
  success: boolean;
  reason?: string;
  path?: string;
}, now = new Date()): Resource {
  const subtype = input.kind === 'logout'
    ? { system: dcm, code: '110123', display: 'Logout' }
    : { system: dcm, code: '110122', display: 'Login' };
  const type = input.kind === 'denied'
    ? { system: dcm, code: '110113', display: 'Security Alert' }
    : { system: dcm, code: '110114', display: 'User Authentication' };
  return {
    resourceType: 'AuditEvent',
    type,
    ...(input.kind === 'denied' ? {} : { subtype: [subtype] }),
    action: 'E',
    recorded: now.toISOString(),
    outcome: input.success ? '0' : '4',
    ...(input.reason ? { outcomeDesc: input.reason.slice(0, 1000) } : {}),
    agent: [agentOf(input.caller, input.origin)],
    source,
    ...(input.path ? { entity: [{ description: input.path.slice(0, 1000) }] } : {}),
  };
}

/**
 * Changes to who may see what (DICOM PS3.15 A.5.3.10 Security Alert, 110137 User Security Attributes
 * Changed): a family member linked to or unlinked from a patient account, an account created,
 * disabled or given other roles. `patient` names the record whose readers changed, so the change
 * shows in that patient's access log too.
 */
export function accessChangeEvent(input: { caller: Caller; origin: RequestOrigin; description: string; patient?: string }, now = new Date()): Resource {
  return {
    resourceType: 'AuditEvent',
    type: { system: dcm, code: '110113', display: 'Security Alert' },
    subtype: [{ system: dcm, code: '110137', display: 'User Security Attributes Changed' }],
    action: 'U',
    recorded: now.toISOString(),
    outcome: '0',
    agent: [agentOf(input.caller, input.origin)],
    source,
    entity: [
      ...(input.patient ? [patientEntity(input.patient)] : []),
      { description: input.description.slice(0, 1000) },
    ],
  };
}

const callerKeys = new WeakMap<Caller, string>();

function callerKey(caller: Caller): string {
  let key = callerKeys.get(caller);
  if (key === undefined) {
    key = caller.kind === 'anonymous' ? 'anonymous' : caller.kind === 'client' ? `client ${caller.clientId} ${caller.scope}` : `${caller.accountId} ${caller.clientId ?? ''} ${caller.scope ?? ''}`;
    callerKeys.set(caller, key);
  }
  return key;
}

/**
 * The coalesce key of a successful read touching at most one patient's record, computed from the
 * request alone (the AuditEvent is built only for the first read of a batch); undefined otherwise.
 */
export function readKeyOf(record: InteractionRecord, caller: Caller, origin: RequestOrigin): { key: string; patient?: string } | undefined {
  if (record.status >= 400) return undefined;
  const subtype = subtypeOf(record).code;
  if (!['read', 'vread', 'search', 'history', '$everything'].includes(subtype)) return undefined;
  let patient: string | undefined;
  for (const t of record.touched) {
    const p = patientOf(t);
    if (p === undefined) continue;
    if (patient !== undefined && p !== patient) return undefined;
    patient = p;
  }
  return { key: `${callerKey(caller)}\u0001${origin.ip ?? ''}\u0001${origin.userAgent ?? ''}\u0001${subtype}\u0001${patient ?? ''}`, patient };
}
