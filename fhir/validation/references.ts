// Reference target types: ElementDefinition.type.targetProfile lists the resource types a Reference
// may point to (http://hl7.org/fhir/R4/references.html#Reference). Only literal relative references of
// the form `[type]/[id]` or `[type]/[id]/_history/[vid]` name their target type and can be checked here;
// `#contained`, `urn:uuid:`/`urn:oid:` and absolute URLs are accepted (their target is resolved elsewhere).

import { issue, type OutcomeIssue } from '../outcome.ts';
import { isResourceType } from '../definitions/structure.ts';

const RELATIVE_REFERENCE = /^([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

export function checkReferenceTarget(
  reference: unknown, targets: ReadonlySet<string> | undefined, path: string, issues: OutcomeIssue[],
): void {
  if (typeof reference !== 'string') return;
  const match = RELATIVE_REFERENCE.exec(reference);
  if (!match) return;
  const type = match[1];
  if (!isResourceType(type)) {
    issues.push(issue('error', 'invalid', `Reference '${reference}' names an unknown resource type '${type}'`, [path]));
  } else if (targets && !targets.has(type)) {
    issues.push(issue('error', 'invalid',
      `Reference '${reference}' points to a ${type}, but only ${[...targets].join(', ')} is allowed here`, [path]));
  }
}
