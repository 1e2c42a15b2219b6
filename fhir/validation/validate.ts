// FHIR R4 resource validation against the official StructureDefinitions (fhir/definitions/structure.ts).
// http://hl7.org/fhir/R4/validation.html
//
// Checked: JSON shape and known resourceType; resource id format; unknown elements (including wrong
// choice-type suffixes); cardinality, array vs single value; required elements; primitive formats
// (including `_x` primitive extensions); complex datatypes recursively; contentReference elements;
// contained, Bundle.entry.resource and Parameters.parameter.resource as resources; required bindings
// (value sets expandable from the package's own data); fixed[x]/pattern[x]; reference target types;
// and the invariants that need no FHIRPath engine: ele-1, ext-1, dom-2, dom-4.
// Not checked: the other FHIRPath invariants (`constraint`), because evaluating them with `fhirpath`
// runs at roughly 2k resources/s, an order of magnitude below the ingest budget; and profiles
// (meta.profile), extension definitions, and whether referenced resources exist.
//
// Issue expressions are FHIRPath paths built from the JSON property names, starting at the resource
// type, with `[i]` after every repeating element and choice elements named by their JSON property:
//   Patient.name[0].given[1]      Observation.valueQuantity.value      Bundle.entry[3].resource.status
// Errors in a `_x` primitive companion are reported on the primitive itself: `Patient.birthDate.extension[0].url`.

import { issue, type OutcomeIssue } from '../outcome.ts';
import { walkResource } from './walk.ts';

export interface ValidateOptions {
  /** The resource type the caller expects (e.g. from the URL of a PUT); a different resourceType is an error. */
  expectedType?: string;
}

/** Validates one resource; an empty array means it is valid. Every issue has severity 'error'. */
export function validateResource(resource: unknown, options: ValidateOptions = {}): OutcomeIssue[] {
  const issues: OutcomeIssue[] = [];
  try {
    walkResource(resource, undefined, issues, options.expectedType);
  } catch (err) {
    // Pathologically deep nesting (e.g. thousands of Questionnaire.item levels) exhausts the stack.
    if (!(err instanceof RangeError)) throw err;
    issues.push(issue('error', 'too-costly', 'The resource is nested too deeply to validate'));
  }
  return issues;
}
