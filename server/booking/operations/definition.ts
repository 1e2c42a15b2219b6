// OperationDefinitions of booking's operations, as data (listed by the CapabilityStatement).
import type { OperationDefinitionData } from '../../../fhir/index.ts';

export function definition(code: string, level: 'type' | 'instance', affectsState: boolean, parameter: { name: string; use: 'in' | 'out'; min: number; max: string; type: string }[]): OperationDefinitionData {
  return {
    resourceType: 'OperationDefinition',
    id: `Appointment-${code}`,
    url: `https://open-his.example.org/fhir/OperationDefinition/Appointment-${code}`,
    name: code.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
    status: 'active', kind: 'operation', code,
    system: false, type: level === 'type', instance: level === 'instance',
    resource: ['Appointment'], affectsState, parameter,
  };
}

export const appliesToAppointment = (type: string): boolean => type === 'Appointment';
