// Format checks for the R4 primitive datatypes in their JSON form.
// http://hl7.org/fhir/R4/datatypes.html#primitive and http://hl7.org/fhir/R4/json.html#primitive
// The regexes come from the `regex` extension of each primitive's StructureDefinition; they are
// anchored here because FHIR regexes match the whole value. A few types get a direct check instead,
// where the published regex misleads under JavaScript semantics (documented at each case).

import { typeModel } from '../definitions/structure.ts';

/** Returns a problem description, or undefined when the value is a valid `type`. */
export type PrimitiveCheck = (value: unknown) => string | undefined;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const checks = new Map<string, PrimitiveCheck>();

/** The checker for a primitive type name ('date', 'positiveInt', …); built once per type. */
export function primitiveCheck(type: string): PrimitiveCheck {
  let check = checks.get(type);
  if (!check) {
    check = buildCheck(type);
    checks.set(type, check);
  }
  return check;
}

function buildCheck(type: string): PrimitiveCheck {
  switch (type) {
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? undefined : `must be a JSON boolean (true or false), not ${describe(v)}`);
    case 'decimal':
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `must be a JSON number, not ${describe(v)}`);
    case 'integer':
      return integerCheck(INT32_MIN, 'an integer');
    case 'unsignedInt':
      return integerCheck(0, 'a non-negative integer');
    case 'positiveInt':
      return integerCheck(1, 'a positive integer');
    case 'string':
    case 'markdown':
      // The published `[ \r\n\t\S]+` is meant in Java semantics, where \S includes U+00A0 and other
      // Unicode spaces; JavaScript's \S excludes them. The rule it encodes (datatypes.html#string):
      // non-empty, and no characters below U+0020 other than tab, CR and LF.
      return (v) => {
        if (typeof v !== 'string') return `must be a JSON string, not ${describe(v)}`;
        if (v.length === 0) return 'must not be empty';
        return /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(v) ? 'contains a control character' : undefined;
      };
    case 'base64Binary':
      // Linear scan instead of the nested-quantifier regex, which backtracks badly on large attachments.
      return (v) => {
        if (typeof v !== 'string') return `must be a JSON string, not ${describe(v)}`;
        const compact = v.replace(/\s+/g, '');
        return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact) ? undefined : 'is not valid base64';
      };
    case 'xhtml':
      // Narrative.div: an XHTML <div> fragment (narrative.html#xhtml); its content rules (txt-1/txt-2) are invariants.
      return (v) => {
        if (typeof v !== 'string') return `must be a JSON string, not ${describe(v)}`;
        return /^\s*<div[\s>]/.test(v) ? undefined : 'must be an XHTML <div> element';
      };
    default:
      return stringCheck(type);
  }
}

function integerCheck(min: number, what: string): PrimitiveCheck {
  return (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return `must be ${what} JSON number, not ${describe(v)}`;
    if (v < min || v > INT32_MAX) return `${v} is out of range for ${what} (${min}..${INT32_MAX})`;
    return undefined;
  };
}

function stringCheck(type: string): PrimitiveCheck {
  const source = typeModel(type)?.regex;
  const regex = source === undefined ? undefined : new RegExp(`^(?:${source})$`);
  const calendar = type === 'date' || type === 'dateTime' || type === 'instant';
  return (v) => {
    if (typeof v !== 'string') return `must be a JSON string, not ${describe(v)}`;
    // json.html#primitive: empty strings are not valid primitive values.
    if (v.length === 0) return 'must not be empty';
    if (regex && !regex.test(v)) return `'${clip(v)}' is not a valid ${type}`;
    if (calendar && !validDayOfMonth(v)) return `'${clip(v)}' is not a calendar date`;
    return undefined;
  };
}

/** The regexes accept 31 days for every month; datatypes.html#date requires a real date. */
function validDayOfMonth(v: string): boolean {
  if (v.length < 10) return true;
  const year = Number(v.slice(0, 4));
  const month = Number(v.slice(5, 7));
  const day = Number(v.slice(8, 10));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `the string '${clip(v)}'` : `a JSON ${typeof v}`;
}

function clip(v: string): string {
  return v.length > 60 ? `${v.slice(0, 57)}...` : v;
}
