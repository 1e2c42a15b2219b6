import test from 'ava';
import { startTestServer, request, type TestServer } from '../../helpers/server.ts';
import { createAccount, logIn } from '../../helpers/accounts.ts';
import { operationPolicy, policy, roleAllows, roles, type Role } from '../../../server/auth/policy.ts';
import type { Interaction } from '../../../fhir/index.ts';

// The role × resource type × interaction matrix, generated from the policy table: every cell is tried
// over HTTP and must be refused exactly when the table grants nothing (patients never write directly).
// "Allowed" means the request got past the permission check: any answer but 401/403 (a read of an id
// that does not exist is a 404, a create of an empty resource may be a 400 from validation).
let server: TestServer;
const tokens = new Map<Role, string | null>();
const types = [...new Set([...policy.flatMap((row) => row.types), 'AuditEvent', 'Basic', 'Invoice', 'VisionPrescription'])].sort();
const interactions: Interaction[] = ['read', 'vread', 'search', 'history', 'create', 'update', 'patch', 'delete'];

test.before(async () => {
  server = await startTestServer();
  for (const role of roles) {
    if (role === 'anonymous') { tokens.set(role, null); continue; }
    const login = role === 'patient' ? 'matrix-patient@example.org' : `matrix-${role}`;
    await createAccount(server, { login, roles: [role], ...(role === 'patient' ? { kind: 'patient', patientId: 'matrix-p' } : {}) });
    tokens.set(role, await logIn(server, login));
  }
});
test.after.always(async () => { await server?.stop(); });

function call(type: string, interaction: Interaction): { method: string; path: string; body?: unknown; headers?: Record<string, string> } {
  switch (interaction) {
    case 'read': return { method: 'GET', path: `${type}/matrix-none` };
    case 'vread': return { method: 'GET', path: `${type}/matrix-none/_history/1` };
    case 'search': return { method: 'GET', path: `${type}?_count=1` };
    case 'history': return { method: 'GET', path: `${type}/_history?_count=1` };
    case 'create': return { method: 'POST', path: type, body: { resourceType: type } };
    case 'update': return { method: 'PUT', path: `${type}/matrix-x`, body: { resourceType: type, id: 'matrix-x' } };
    case 'patch': return { method: 'PATCH', path: `${type}/matrix-none`, body: [], headers: { 'content-type': 'application/json-patch+json' } };
    default: return { method: 'DELETE', path: `${type}/matrix-none` };
  }
}

const expected = (role: Role, type: string, interaction: Interaction) =>
  roleAllows([role], type, interaction) && !(role === 'patient' && ['create', 'update', 'patch', 'delete'].includes(interaction));

for (const role of roles) {
  test(`${role}: every type and interaction is allowed exactly as the policy table says`, async (t) => {
    const cells = types.flatMap((type) => interactions.map((interaction) => ({ type, interaction })));
    const wrong: string[] = [];
    let allowed = 0;
    for (let i = 0; i < cells.length; i += 16) {
      await Promise.all(cells.slice(i, i + 16).map(async ({ type, interaction }) => {
        const c = call(type, interaction);
        const res = await request(server, c.method, c.path, { body: c.body, headers: c.headers, token: tokens.get(role) });
        const refused = res.status === 401 || res.status === 403;
        const want = expected(role, type, interaction);
        if (want) allowed++;
        if (refused === want) wrong.push(`${interaction} ${type}: ${res.status} (${want ? 'should be allowed' : 'should be refused'})`);
        else if (refused && res.status !== (role === 'anonymous' ? 401 : 403)) wrong.push(`${interaction} ${type}: ${res.status} instead of ${role === 'anonymous' ? 401 : 403}`);
        else if (refused && res.body?.resourceType !== 'OperationOutcome') wrong.push(`${interaction} ${type}: refusal without an OperationOutcome`);
      }));
    }
    t.deepEqual(wrong, [], `${wrong.length} of ${cells.length} cells disagree with the policy table`);
    t.log(`${role}: ${cells.length} cells, ${allowed} allowed`);
  });

  test(`${role}: operations are allowed exactly as the operation policy says`, async (t) => {
    const cases = [
      { op: 'everything', method: 'GET', path: 'Patient/matrix-none/$everything' },
      { op: 'validate', method: 'POST', path: 'Patient/$validate', body: { resourceType: 'Patient' } },
      { op: 'reindex', method: 'POST', path: 'Basic/$reindex', body: { resourceType: 'Parameters' } },
    ];
    for (const c of cases) {
      const res = await request(server, c.method, c.path, { body: c.body, token: tokens.get(role) });
      const want = operationPolicy[c.op]!.roles.includes(role);
      t.is(res.status === 401 || res.status === 403, !want, `$${c.op}: ${res.status}`);
    }
  });
}

test('nobody may change or delete an AuditEvent, not even with system scopes', async (t) => {
  await request(server, 'GET', 'Basic?_count=1'); // something to audit
  await server.app.audit.flush();
  const id = (await server.app.db.query<{ id: string }>(`SELECT id FROM fhir_resource WHERE resource_type = 'AuditEvent' LIMIT 1`)).rows[0]!.id;
  const put = await request(server, 'PUT', `AuditEvent/${id}`, { body: { resourceType: 'AuditEvent', id } });
  t.true([400, 405].includes(put.status), `PUT: ${put.status}`);
  t.is((await request(server, 'DELETE', `AuditEvent/${id}`)).status, 405);
  const versions = await server.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM fhir_resource_history WHERE resource_type = $1 AND id = $2', ['AuditEvent', id]);
  t.is(versions.rows[0]!.n, 1);
});
