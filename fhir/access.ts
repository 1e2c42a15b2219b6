// What a caller may do, as the engine sees it. The server decides who the caller is (log-in, SMART
// token) and hands the engine an Access; the engine enforces it at every entry point — REST
// interactions, batch/transaction entries, searches (in the SQL), includes, history and operations —
// so that no route can forget it.
import { FhirError } from './outcome.ts';
import { compartment } from './definitions/compartments.ts';

/** The interactions of http://hl7.org/fhir/R4/http.html, as permissions are granted. */
export type Interaction = 'read' | 'vread' | 'search' | 'history' | 'create' | 'update' | 'patch' | 'delete' | 'operation';

export interface Access {
  /**
   * Whether the caller may perform `interaction` on resources of `resourceType`. For `operation`,
   * `operation` is the operation's code (e.g. `everything`); `resourceType` is `*` at system level.
   */
  allows(resourceType: string, interaction: Interaction, operation?: string): boolean;
  /**
   * Patient ids whose compartments (http://hl7.org/fhir/R4/compartmentdefinition-patient.html) bound
   * every resource of a compartment type the caller sees: a patient and the people they are a proxy
   * for, or the patient of a SMART `patient/` launch. Undefined: not bounded by compartment.
   */
  patients?: readonly string[];
  /**
   * Compartment types this caller reads without the compartment bound: public directory data that
   * happens to sit in the Patient compartment (a doctor's Schedule has the doctor as actor, and the
   * R4 compartment lists Schedule by actor).
   */
  openTypes?: ReadonlySet<string>;
  /** Who, for messages: e.g. "role nurse", "SMART scopes patient/*.read". */
  describe: string;
}

/** Resource types a Patient compartment can hold (including Patient itself, through `link` or as owner). */
export function patientCompartmentTypes(): ReadonlySet<string> {
  return compartmentTypes;
}

const patientCompartment = compartment('Patient');
const compartmentTypes: ReadonlySet<string> = new Set(['Patient', ...(patientCompartment?.params.keys() ?? [])]);

/** 403 unless allowed. */
export function authorize(access: Access | undefined, resourceType: string, interaction: Interaction, operation?: string): void {
  if (!access || access.allows(resourceType, interaction, operation)) return;
  const what = interaction === 'operation' ? `$${operation}${resourceType === '*' ? '' : ` on ${resourceType}`}` : `${interaction} ${resourceType}`;
  throw new FhirError('forbidden', `Not permitted: ${what} (${access.describe})`);
}

/** Whether resources of this type are bounded by the caller's patient compartments. */
export function boundedByCompartment(access: Access | undefined, resourceType: string): boolean {
  return access?.patients !== undefined && compartmentTypes.has(resourceType) && !access.openTypes?.has(resourceType);
}
