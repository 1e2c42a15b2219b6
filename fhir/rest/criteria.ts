// Search criteria carried in headers and URLs of conditional interactions, e.g. If-None-Exist:
// `identifier=http://acme.org/mrn|123` or a transaction entry URL `Patient?identifier=…`.
import { FhirError } from '../outcome.ts';

export function criteriaFromQueryString(query: string, resourceType: string): URLSearchParams {
  const text = query.startsWith('?') ? query.slice(1) : query.replace(new RegExp(`^${resourceType}\\?`), '');
  const criteria = new URLSearchParams(text);
  if ([...criteria.keys()].length === 0) {
    throw new FhirError('invalid-request', `Conditional criteria for ${resourceType} are empty`);
  }
  return criteria;
}
