// GET [base]/metadata — a CapabilityStatement generated from what the router, the search registry and
// the operation table really implement (http://hl7.org/fhir/R4/capabilitystatement.html), so it cannot drift.
import { resourceTypes } from '../definitions/structure.ts';
import type { SearchParameterRegistry } from '../definitions/search-parameters.ts';
import { operations as builtInOperations } from '../operations/index.ts';
import type { Operation } from '../operations/operation.ts';
import { typeInteractions, systemInteractions } from './router.ts';
import { supportedSearchTypes } from './search-type.ts';
import type { CapabilityRestAdditions, Handler } from './types.ts';

export const softwareName = 'Open HIS';
export const softwareVersion = '0.1.0';

let cached: { json: string; base: string; registry: SearchParameterRegistry; version: number; operations: readonly Operation[]; operationCount: number } | undefined;

function build(baseUrl: string, registry: SearchParameterRegistry, operations: readonly Operation[], host: CapabilityRestAdditions = {}) {
  const typeOps = operations.filter((o) => o.definition.type || o.definition.instance);
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'Open HIS',
    kind: 'instance',
    software: { name: softwareName, version: softwareVersion },
    implementation: { description: 'Open HIS FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json', 'application/fhir+json'],
    rest: [{
      mode: 'server',
      // How to get access (CapabilityStatement.rest.security) and the host's extensions, as the host says.
      ...(host.extension?.length ? { extension: host.extension } : {}),
      ...(host.security ? { security: host.security } : {}),
      resource: resourceTypes().map((type) => ({
        type,
        profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
        interaction: Object.keys(typeInteractions).map((code) => ({ code })),
        versioning: 'versioned-update',
        readHistory: true,
        updateCreate: true,
        conditionalCreate: true,
        conditionalRead: 'full-support',
        conditionalUpdate: true,
        conditionalDelete: 'single',
        referencePolicy: ['literal', 'local'],
        searchParam: registry.forType(type)
          .filter((p) => supportedSearchTypes.has(p.type))
          .map((p) => ({ name: p.code, ...(p.url ? { definition: p.url } : {}), type: p.type })),
        operation: typeOps.filter((o) => !o.appliesTo || o.appliesTo(type))
          .map((o) => ({ name: o.definition.code, definition: o.definition.url })),
      })),
      interaction: systemInteractions.map((code) => ({ code })),
      operation: operations.filter((o) => o.definition.system).map((o) => ({ name: o.definition.code, definition: o.definition.url })),
    }],
  };
}

export const capabilities: Handler = async (_req, ctx) => {
  const operations = ctx.operations ?? builtInOperations;
  const fresh = cached && cached.base === ctx.baseUrl && cached.registry === ctx.registry && cached.version === ctx.registry.version
    && cached.operations === operations && cached.operationCount === operations.length;
  if (!fresh) {
    cached = {
      json: JSON.stringify(build(ctx.baseUrl, ctx.registry, operations, ctx.capabilityRest?.(ctx.baseUrl))),
      base: ctx.baseUrl, registry: ctx.registry, version: ctx.registry.version, operations, operationCount: operations.length,
    };
  }
  return { status: 200, headers: {}, json: cached!.json };
};
