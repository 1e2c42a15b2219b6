// The one entry point of the FHIR engine. It knows nothing of HTTP frameworks: callers hand it
// FhirRequests (fhir/rest/types.ts) and get FhirResponses back.
import { migrate } from './storage/migrate.ts';
import { openPglite } from './storage/pglite.ts';
import { openPostgres } from './storage/postgres.ts';
import { PgRepository } from './storage/pg-repository.ts';
import { createAnalyzeScheduler } from './storage/analyze.ts';
import { validateResource } from './validation/validate.ts';
import { createIndexRowExtractor } from './search/index-values.ts';
import { createSearcher } from './search/execute.ts';
import { loadOfficialSearchParameters, type SearchParameterRegistry } from './definitions/search-parameters.ts';
import { registerStored } from './definitions/custom-search-parameters.ts';
import { structureDefinitions } from './definitions/structure.ts';
import { route } from './rest/router.ts';
import type { Database } from './storage/db.ts';
import type { Repository } from './storage/repository.ts';
import type { CapabilityRestAdditions, FhirRequest, FhirResponse } from './rest/types.ts';
import { audited, type Auditor } from './rest/audited.ts';
import type { Access } from './access.ts';
import { WriteHooks, type WriteHook } from './storage/write-hooks.ts';
import { operations as builtInOperations } from './operations/index.ts';
import type { Operation } from './operations/operation.ts';

export { migrate, type MigrationFolder } from './storage/migrate.ts';
export { FhirError, operationOutcome, isFhirError, errorCatalogue, type ErrorCode, type OperationOutcome, type OutcomeIssue } from './outcome.ts';
export type { CapabilityRestAdditions, FhirRequest, FhirResponse } from './rest/types.ts';
export { responseResource } from './rest/types.ts';
export type { Repository } from './storage/repository.ts';
export type { Database, Queryable } from './storage/db.ts';
export type { Resource } from './types.ts';
export type { Access, Interaction } from './access.ts';
export type { Auditor, InteractionRecord } from './rest/audited.ts';
export type { TouchedResource, RestContext } from './rest/types.ts';
export type { WriteHook, WriteChange, WriteHookContext } from './storage/write-hooks.ts';
export type { Operation, OperationDefinitionData } from './operations/operation.ts';
export { touched } from './rest/types.ts';
export { authorize } from './access.ts';

export interface FhirEngineOptions {
  db: Database;
  /** IANA zone for dates written without an offset (search index). */
  timezone: string;
  /**
   * What the host adds to CapabilityStatement.rest for a base URL: `security` (how clients get access,
   * e.g. SMART's OAuth endpoints) and `extension` (e.g. the subscriptions' websocket URL).
   */
  capabilityRest?: (baseUrl: string) => CapabilityRestAdditions;
}

export interface FhirEngine {
  readonly db: Database;
  readonly repo: Repository;
  readonly registry: SearchParameterRegistry;
  /** Resolves when background upkeep (statistics) has finished: call before closing the database. */
  idle(): Promise<void>;
  /** Answers one request; `access` bounds what it may do, `auditor` records it (rest/audited.ts). */
  handle(req: FhirRequest, baseUrl: string, options?: HandleOptions): Promise<FhirResponse>;
  /** Adds a rule run inside every transaction that writes the hook's types (storage/write-hooks.ts). */
  addWriteHook(hook: WriteHook): void;
  /** Adds a host application's $operation (listed in the CapabilityStatement like the engine's own). */
  addOperation(operation: Operation): void;
}

export interface HandleOptions {
  access?: Access;
  auditor?: Auditor;
  /** Opaque to the engine: what the host knows about the request, passed to operations (RestContext.host). */
  host?: unknown;
}

export async function openDatabase(options: { databaseUrl?: string; dataDir?: string; pgliteImage?: Blob }): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir, { image: options.pgliteImage });
}

export async function createFhirEngine(options: FhirEngineOptions): Promise<FhirEngine> {
  await migrate(options.db);
  // Load the definitions now rather than on the first request.
  structureDefinitions();
  // Each engine has its own registry: custom SearchParameters belong to one database.
  const registry = loadOfficialSearchParameters();
  await registerStored(options.db, registry);
  const statistics = await createAnalyzeScheduler(options.db);
  const hooks = new WriteHooks();
  const operations: Operation[] = [...builtInOperations];
  const repo = new PgRepository({
    hooks,
    onCommitted: (versions) => statistics.written(versions),
    db: options.db,
    validate: (resource) => validateResource(resource),
    index: createIndexRowExtractor(registry, { timeZone: options.timezone }),
    searcher: createSearcher(registry, options.timezone),
  });
  return {
    db: options.db,
    repo,
    registry,
    idle: () => statistics.idle(),
    addWriteHook: (hook) => hooks.add(hook),
    addOperation: (operation) => {
      if (operations.some((o) => o.definition.code === operation.definition.code && sameLevels(o, operation))) {
        throw new Error(`An operation $${operation.definition.code} is already registered`);
      }
      operations.push(operation);
    },
    handle: (req, baseUrl, handleOptions = {}) => {
      const ctx = {
        repo, baseUrl, registry, db: options.db, access: handleOptions.access, capabilityRest: options.capabilityRest,
        operations, host: handleOptions.host,
      };
      return handleOptions.auditor ? audited(route, handleOptions.auditor)(req, ctx) : route(req, ctx);
    },
  };
}

function sameLevels(a: Operation, b: Operation): boolean {
  const levels = ['system', 'type', 'instance'] as const;
  const overlap = levels.some((l) => a.definition[l] && b.definition[l]);
  const types = (o: Operation) => o.definition.resource ?? ['*'];
  return overlap && types(a).some((t) => t === '*' || types(b).includes(t) || types(b).includes('*'));
}
