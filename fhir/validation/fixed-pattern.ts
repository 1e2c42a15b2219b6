// ElementDefinition.fixed[x] and pattern[x]: http://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.fixed_x_
// fixed: the value must be exactly equal. pattern: every element present in the pattern must be present
// with the same value; for repeating parts each pattern item must be matched by some instance item.

export function equalsFixed(value: unknown, fixed: unknown): boolean {
  if (value === fixed) return true;
  if (Array.isArray(fixed)) {
    return Array.isArray(value) && value.length === fixed.length && fixed.every((f, i) => equalsFixed(value[i], f));
  }
  if (isObject(fixed)) {
    if (!isObject(value)) return false;
    const keys = Object.keys(fixed);
    return keys.length === Object.keys(value).length && keys.every((k) => equalsFixed(value[k], fixed[k]));
  }
  return false;
}

export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (value === pattern) return true;
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  }
  if (isObject(pattern)) {
    return isObject(value) && Object.keys(pattern).every((k) => matchesPattern(value[k], pattern[k]));
  }
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
