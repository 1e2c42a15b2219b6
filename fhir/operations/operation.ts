// An $operation declares its OperationDefinition as data next to its handler, so the
// CapabilityStatement lists exactly what is implemented (http://hl7.org/fhir/R4/operations.html).
import type { FhirRequest, FhirResponse, RestContext } from '../rest/types.ts';

export type OperationLevel = 'system' | 'type' | 'instance';

export interface OperationDefinitionData {
  resourceType: 'OperationDefinition';
  id: string;
  url: string;
  name: string;
  status: 'active';
  kind: 'operation';
  code: string;
  system: boolean;
  type: boolean;
  instance: boolean;
  resource?: string[];
  affectsState?: boolean;
  parameter?: Record<string, unknown>[];
}

export interface Operation {
  definition: OperationDefinitionData;
  /** Resource types this applies to; undefined = every type. */
  appliesTo?: (resourceType: string) => boolean;
  handle(req: FhirRequest, ctx: RestContext, target: { resourceType?: string; id?: string }): Promise<FhirResponse>;
}
