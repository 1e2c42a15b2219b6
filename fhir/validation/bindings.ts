// Required terminology bindings: http://hl7.org/fhir/R4/terminologies.html#required
// "To be conformant, the concept in this element SHALL be from the specified value set."
// Only `required` bindings are enforced; extensible/preferred/example never make a resource invalid.
// Value sets that cannot be expanded from the local package data are skipped (see valuesets.ts).

import { issue, type OutcomeIssue } from '../outcome.ts';
import type { RequiredBinding } from '../definitions/structure.ts';
import { expandValueSet, type ExpandedValueSet } from './valuesets.ts';

interface CodingLike { system?: unknown; code?: unknown }

/** Checks a value already known to be structurally valid for its type (`code`, `Coding`, `CodeableConcept`, …). */
export function checkRequiredBinding(
  value: unknown, typeCode: string, binding: RequiredBinding, path: string, issues: OutcomeIssue[],
): void {
  const vs = expandValueSet(binding.valueSet);
  if (!vs) return;
  switch (typeCode) {
    case 'code':
    case 'string':
    case 'uri':
      if (typeof value === 'string' && !vs.codes.has(value)) {
        issues.push(issue('error', 'code-invalid',
          `The value '${value}' is not in the required value set ${vs.url}`, [path]));
      }
      return;
    case 'Coding':
      checkCoding(value as CodingLike, vs, path, issues);
      return;
    case 'CodeableConcept': {
      // A CodeableConcept conforms when at least one of its codings is from the value set; a text-only
      // concept carries no code to check (HL7's validator reports that as a warning only).
      const codings = (value as { coding?: unknown }).coding;
      if (!Array.isArray(codings) || codings.length === 0) return;
      if (codings.some((c) => c !== null && typeof c === 'object' && codingInValueSet(c as CodingLike, vs))) return;
      const shown = codings.map((c) => `${(c as CodingLike)?.system ?? ''}|${(c as CodingLike)?.code ?? ''}`).join(', ');
      issues.push(issue('error', 'code-invalid',
        `None of the codings (${shown}) are in the required value set ${vs.url}`, [`${path}.coding`]));
      return;
    }
    default:
  }
}

function checkCoding(coding: CodingLike, vs: ExpandedValueSet, path: string, issues: OutcomeIssue[]): void {
  if (coding.code === undefined) return;
  if (codingInValueSet(coding, vs)) return;
  issues.push(issue('error', 'code-invalid',
    `The code '${String(coding.system ?? '')}|${String(coding.code)}' is not in the required value set ${vs.url}`,
    [`${path}.code`]));
}

function codingInValueSet(coding: CodingLike, vs: ExpandedValueSet): boolean {
  if (typeof coding.code !== 'string') return false;
  if (typeof coding.system !== 'string') return vs.codes.has(coding.code);
  return vs.systems.get(coding.system)?.has(coding.code) ?? false;
}
