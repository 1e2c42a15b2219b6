// HTTP to the Open HIS API (same origin): JSON in and out, errors as ApiError with the server's stable
// code — from an OperationOutcome (issue[0].details.coding[0].code, else issue[0].code) or from the
// { code, message } answers of the /auth routes — and the session: the access token lives in memory
// only; the httpOnly refresh cookie (path /auth) restores it on load and after a 401.

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: { severity: string; code: string; details?: { text?: string; coding?: { system?: string; code?: string }[] }; diagnostics?: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** Stable code: slot-taken, daily-limit, invalid-credentials, … (or the FHIR issue type). */
    readonly code: string | undefined,
    /** The server's own explanation, shown when the code has no text of ours. */
    readonly text: string,
    readonly outcome?: OperationOutcome,
  ) {
    super(text || `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

export function isOperationOutcome(body: unknown): body is OperationOutcome {
  return typeof body === 'object' && body !== null && (body as { resourceType?: unknown }).resourceType === 'OperationOutcome'
    && Array.isArray((body as { issue?: unknown }).issue);
}

export function errorFrom(status: number, body: unknown): ApiError {
  if (isOperationOutcome(body)) {
    const issue = body.issue[0];
    const code = issue?.details?.coding?.find((c) => c.code)?.code ?? issue?.code;
    return new ApiError(status, code, issue?.details?.text ?? issue?.diagnostics ?? '', body);
  }
  const plain = (body ?? {}) as { code?: unknown; message?: unknown; error?: unknown };
  const code = typeof plain.code === 'string' ? plain.code : status === 429 ? 'too-many-requests' : undefined;
  return new ApiError(status, code, typeof plain.message === 'string' ? plain.message : typeof plain.error === 'string' ? plain.error : '');
}

async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try { return JSON.parse(text); } catch { return text; }
}

// ---- session ----

export interface Account {
  id: string;
  kind: 'staff' | 'patient';
  username?: string;
  email?: string;
  displayName?: string;
  /** Staff roles: admin, registrar, doctor, nurse, radiologist. */
  roles?: string[];
  patientId?: string;
  patients?: string[];
}

interface SessionState { token: string | null; account: Account | null }
let state: SessionState = { token: null, account: null };
const listeners = new Set<() => void>();
let refreshing: Promise<boolean> | null = null;

export const session = {
  get: (): SessionState => state,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  set(token: string | null, account: Account | null): void {
    state = { token, account };
    for (const listener of listeners) listener();
  },
};

const csrf = { 'x-requested-with': 'open-his' };

/** Swaps the refresh cookie for a new access token; false when there is no session. Concurrent callers share one request. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const res = await fetch('/auth/refresh', { method: 'POST', credentials: 'include', headers: csrf });
      if (!res.ok) {
        session.set(null, null);
        return false;
      }
      const body = await res.json() as { access_token: string; account: Account };
      session.set(body.access_token, body.account);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Content type of the JSON body; FHIR calls send application/fhir+json. */
  contentType?: string;
  accept?: string;
  /** Send the access token (and refresh it once on a 401). */
  auth?: boolean;
  signal?: AbortSignal;
}

async function send(url: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  if (url.startsWith('/auth/')) Object.assign(headers, csrf);
  if (options.auth && state.token) headers.authorization = `Bearer ${state.token}`;
  try {
    return await fetch(url, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', (err as Error).message);
  }
}

/** A request; answers other than 2xx throw ApiError. */
export async function requestRaw(url: string, options: RequestOptions = {}): Promise<Response> {
  let res = await send(url, options);
  if (res.status === 401 && options.auth && await refreshSession()) res = await send(url, options);
  if (!res.ok) throw errorFrom(res.status, await bodyOf(res));
  return res;
}

export async function requestJson<T>(url: string, options: RequestOptions = {}): Promise<T> {
  return await bodyOf(await requestRaw(url, options)) as T;
}

// ---- the /auth routes ----

interface SessionAnswer { access_token: string; account: Account }

/** Logs in; `totp` when the server answered `totp-required` (staff with an authenticator). */
export async function logIn(login: string, password: string, totp?: string): Promise<Account> {
  const answer = await requestJson<SessionAnswer>('/auth/login', { body: { login, password, ...(totp ? { totp } : {}) } });
  session.set(answer.access_token, answer.account);
  return answer.account;
}

export async function askSignUpCode(email: string, locale: string): Promise<{ expiresIn: number; resendAfter: number }> {
  return requestJson('/auth/signup/code', { body: { email, locale } });
}

export interface SignUpInput {
  email: string; code: string; password: string; name: string; documentNumber: string; phone?: string; locale: string;
}

export async function signUp(input: SignUpInput): Promise<Account> {
  const { phone, ...rest } = input;
  const answer = await requestJson<SessionAnswer>('/auth/signup', {
    body: { ...rest, documentType: 'resident-id', ...(phone ? { phone } : {}) },
  });
  session.set(answer.access_token, answer.account);
  return answer.account;
}

export async function logOut(): Promise<void> {
  try {
    await send('/auth/logout', { method: 'POST', auth: true });
  } finally {
    session.set(null, null);
  }
}
