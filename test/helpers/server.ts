// A real server on a random port with its own database, for one test file.
import { Client } from 'fhir-kit-client';
import { loadConfig, type Config } from '../../server/config.ts';
import { createServer, type OpenHisServer } from '../../server/server.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestServer {
  app: OpenHisServer;
  database: TestDatabase;
  /** http://127.0.0.1:port */
  url: string;
  /** FHIR base, e.g. http://127.0.0.1:port/fhir */
  base: string;
  fhir: InstanceType<typeof Client>;
  stop(): Promise<void>;
}

export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' }, { port: 0, host: '127.0.0.1', seedDemo: false, ...overrides });
  const app = await createServer(config, { db: database.db });
  await app.server.start();
  const url = `http://127.0.0.1:${app.server.info.port}`;
  const base = `${url}/fhir`;
  return {
    app, database, url, base,
    fhir: new Client({ baseUrl: base }),
    async stop() {
      await app.server.stop({ timeout: 1000 });
      await app.engine.idle();
      await database.drop();
    },
  };
}

/** fetch against the server with FHIR JSON defaults; returns status, headers and parsed body. */
export async function request(
  server: TestServer, method: string, path: string,
  options: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { accept: 'application/fhir+json', ...options.headers };
  let payload: string | Buffer | undefined = options.raw;
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/fhir+json';
  }
  const res = await fetch(`${server.base}${path.startsWith('/') ? '' : '/'}${path}`, { method, headers, body: payload as BodyInit | undefined });
  const text = await res.text();
  let body: any;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  return { status: res.status, headers: res.headers, body, text };
}
