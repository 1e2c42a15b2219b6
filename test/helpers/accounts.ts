// Accounts for tests: created straight in the store, logged in over HTTP like a browser would.
import { hashPassword } from '../../server/auth/password.ts';
import type { Role } from '../../server/auth/policy.ts';
import type { TestServer } from './server.ts';

export const testPassword = 'correct horse battery staple';

let passwordHash: Promise<string> | undefined;

export async function createAccount(server: TestServer, input: { login: string; kind?: 'staff' | 'patient'; roles?: Role[]; patientId?: string; practitionerId?: string }): Promise<string> {
  passwordHash ??= hashPassword(testPassword);
  const kind = input.kind ?? (input.roles?.includes('patient') ? 'patient' : 'staff');
  const account = await server.app.auth.accounts.create({
    kind, ...(input.login.includes('@') ? { email: input.login } : { username: input.login }), passwordHash: await passwordHash,
    roles: input.roles ?? (kind === 'patient' ? ['patient'] : []), patientId: input.patientId, practitionerId: input.practitionerId,
  });
  return account.id;
}

export async function logIn(server: TestServer, login: string, password = testPassword): Promise<string> {
  const res = await fetch(`${server.url}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }),
  });
  const body = await res.json() as { access_token?: string; message?: string };
  if (!body.access_token) throw new Error(`log-in of ${login} failed: ${res.status} ${body.message ?? ''}`);
  return body.access_token;
}
