// Builds the Hapi server from a Config without listening, so tests can start it on a random port.
import Hapi from '@hapi/hapi';
import { createFhirEngine, openDatabase, type Database, type FhirEngine } from '../fhir/index.ts';
import type { Config } from './config.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { healthPlugin } from './plugins/health.ts';
import { loggingPlugin } from './plugins/logging.ts';
import { fhirPlugin } from './plugins/fhir.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';

export interface OpenHisServer {
  server: Hapi.Server;
  engine: FhirEngine;
  db: Database;
  /** Stops accepting requests, drains those in flight, then closes the database. */
  stop(timeoutMs?: number): Promise<void>;
}

export async function createServer(config: Readonly<Config>, options: { db?: Database } = {}): Promise<OpenHisServer> {
  const db = options.db ?? await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const engine = await createFhirEngine({ db, timezone: config.timezone });
    const server = Hapi.server({
      port: config.port,
      host: config.host,
      router: { stripTrailingSlash: true },
      routes: { response: { emptyStatusCode: 200 } },
    });
    await server.register(loggingPlugin(config.logLevel));
    await server.register(errorsPlugin);
    // After the errors plugin, so that the OperationOutcome answers it builds get the headers too.
    await server.register({ plugin: securityHeadersPlugin, options: { https: config.publicUrl?.startsWith('https://') ?? false } });
    await server.register({ plugin: healthPlugin, options: { db } });
    await server.register({ plugin: fhirPlugin, options: { engine, maxBodyBytes: config.maxBodyBytes, publicUrl: config.publicUrl } });
    let stopped = false;
    return {
      server, engine, db,
      async stop(timeoutMs = 10_000) {
        if (stopped) return;
        stopped = true;
        await server.stop({ timeout: timeoutMs });
        await engine.idle();
        await db.close();
      },
    };
  } catch (err) {
    if (!options.db) await db.close();
    throw err;
  }
}
