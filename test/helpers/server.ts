// A real server on a random port with its own database, for one test file. Requests carry a system
// token (client_credentials of the bootstrap client) unless a test says otherwise.
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'fhir-kit-client';
import { loadConfig, type Config } from '../../server/config.ts';
import { createServer, type OpenHisServer } from '../../server/server.ts';
import { clientCredentialsToken as serverClientToken } from '../../server/auth/client-token.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestServer {
  app: OpenHisServer;
  database: TestDatabase;
  /** http://127.0.0.1:port */
  url: string;
  /** FHIR base, e.g. http://127.0.0.1:port/fhir */
  base: string;
  /** A fhir-kit-client with the system token. */
  fhir: InstanceType<typeof Client>;
  /** Access token of the bootstrap system client (scope system/*.*). */
  token: string;
  /** fetch with the system token (for following links the server returned). */
  fetch(url: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export const testClient = { id: 'test-system-client', secret: 'test-system-client-secret' };

/** A client_credentials token of the test system client (or another), as scripts get one. */
export function clientCredentialsToken(url: string, scope = 'system/*.*', client = testClient): Promise<string> {
  return serverClientToken(url, client, scope);
}

export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  // Mail of servers without SMTP goes to an outbox of their own, removed when they stop.
  const outboxDir = join(tmpdir(), `open-his-outbox-${randomBytes(6).toString('hex')}`);
  // Stored DICOM files too: a directory of its own, removed when the server stops.
  const dicomDir = join(tmpdir(), `open-his-dicom-${randomBytes(6).toString('hex')}`);
  // And Bulk Data export files.
  const exportDir = join(tmpdir(), `open-his-exports-${randomBytes(6).toString('hex')}`);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, {
    port: 0, host: '127.0.0.1', seedDemo: false, accessTokenSeconds: 3600,
    bootstrapClient: testClient, mailOutboxDir: outboxDir, dicomDir, exportDir, ...overrides,
  });
  const app = await createServer(config, { db: database.db });
  await app.server.start();
  const url = `http://127.0.0.1:${app.server.info.port}`;
  const base = `${url}/fhir`;
  const token = await clientCredentialsToken(url);
  return {
    app, database, url, base, token,
    fetch: (target, init = {}) => fetch(target, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } }),
    fhir: new Client({ baseUrl: base, customHeaders: { authorization: `Bearer ${token}` } }),
    async stop() {
      await app.stop(1000);
      await database.drop();
      await rm(outboxDir, { recursive: true, force: true });
      await rm(dicomDir, { recursive: true, force: true });
      await rm(exportDir, { recursive: true, force: true });
    },
  };
}

/**
 * fetch against the server with FHIR JSON defaults and the system token; returns status, headers and
 * parsed body. `token: null` sends no Authorization header; a string sends that token.
 */
export async function request(
  server: TestServer, method: string, path: string,
  options: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const token = options.token === undefined ? server.token : options.token;
  const headers: Record<string, string> = { accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers };
  let payload: string | Buffer | undefined = options.raw;
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/fhir+json';
  }
  const url = /^https?:/.test(path) ? path : path.startsWith('/') && !path.startsWith('/fhir') && /^\/(auth|oauth2|admin|exchange|health|booking|dev|\.well-known)/.test(path)
    ? `${server.url}${path}`
    : `${server.base}${path.startsWith('/') ? '' : '/'}${path}`;
  const res = await fetch(url, { method, headers, body: payload as BodyInit | undefined });
  const text = await res.text();
  let body: any;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  return { status: res.status, headers: res.headers, body, text };
}
