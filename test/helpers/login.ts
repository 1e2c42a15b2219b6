// Browser-style log-in for the identity tests: accounts made straight in the store, POST /auth/login
// over real HTTP, and the refresh cookie read from Set-Cookie the way a browser would keep it.
import { hashPassword } from '../../server/auth/password.ts';
import type { Account } from '../../server/auth/accounts.ts';
import type { Role } from '../../server/auth/policy.ts';
import type { TestServer } from './server.ts';

export const password = 'plum-kettle-orbit-42';

let hashed: Promise<string> | undefined;

/** A staff account (username log-in) with the shared test password unless another is given. */
export async function staffAccount(server: TestServer, username: string, roles: Role[], plain = password): Promise<Account> {
  const passwordHash = plain === password ? await (hashed ??= hashPassword(password)) : await hashPassword(plain);
  return server.app.auth.accounts.create({ kind: 'staff', username, roles, passwordHash });
}

/** A patient portal account (e-mail log-in) standing for Patient/`patientId`. */
export async function patientAccount(server: TestServer, email: string, patientId: string): Promise<Account> {
  return server.app.auth.accounts.create({ kind: 'patient', email, roles: ['patient'], patientId, passwordHash: await (hashed ??= hashPassword(password)) });
}

export interface LoginAnswer {
  status: number;
  headers: Headers;
  body: any;
  /** Value of the his_refresh cookie set by the answer, if any. */
  refresh?: string;
  /** The raw Set-Cookie line of his_refresh. */
  setCookie?: string;
}

async function answer(res: Response): Promise<LoginAnswer> {
  const text = await res.text();
  let body: any;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('his_refresh='));
  const value = setCookie ? /^his_refresh=([^;]*)/.exec(setCookie)![1] : undefined;
  return { status: res.status, headers: res.headers, body, ...(setCookie ? { setCookie, refresh: value || undefined } : {}) };
}

export async function login(server: TestServer, name: string, plain = password, totp?: string): Promise<LoginAnswer> {
  return answer(await fetch(`${server.url}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: name, password: plain, ...(totp ? { totp } : {}) }),
  }));
}

/** Logs in and returns the access token and refresh cookie, failing loudly otherwise. */
export async function loggedIn(server: TestServer, name: string, plain = password): Promise<{ token: string; refresh: string }> {
  const res = await login(server, name, plain);
  if (res.status !== 200 || !res.refresh) throw new Error(`log-in of ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.access_token, refresh: res.refresh };
}

/** A cookie-carrying POST to /auth/refresh or /auth/logout, with the CSRF header unless `csrf: false`. */
export async function cookiePost(server: TestServer, path: '/auth/refresh' | '/auth/logout',
  options: { refresh?: string; token?: string; csrf?: boolean } = {}): Promise<LoginAnswer> {
  const headers: Record<string, string> = {};
  if (options.refresh) headers.cookie = `his_refresh=${options.refresh}`;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.csrf !== false) headers['x-requested-with'] = 'open-his';
  return answer(await fetch(`${server.url}${path}`, { method: 'POST', headers }));
}
