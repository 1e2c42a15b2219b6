// OperationDefinitions of the EMR's operations, as data (listed by the CapabilityStatement,
// http://hl7.org/fhir/R4/operationdefinition.html); each answers with the resource it changed.
import type { OperationDefinitionData } from '../../fhir/index.ts';
import { OPEN_HIS_BASE } from '../seed/systems.ts';

export type OperationParameter = { name: string; use: 'in' | 'out'; min: number; max: string; type: string };

export function emrOperationDefinition(resource: string, code: string, level: 'type' | 'instance', parameter: OperationParameter[]): OperationDefinitionData {
  return {
    resourceType: 'OperationDefinition',
    id: `${resource}-${code}`,
    url: `${OPEN_HIS_BASE}/OperationDefinition/${resource}-${code}`,
    name: code.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
    status: 'active', kind: 'operation', code,
    system: false, type: level === 'type', instance: level === 'instance',
    resource: [resource], affectsState: true,
    parameter: [...parameter, { name: 'return', use: 'out', min: 1, max: '1', type: resource }],
  };
}
