// The structural walk over a resource's JSON, driven by the compiled StructureDefinitions.
// JSON representation rules: http://hl7.org/fhir/R4/json.html
// Element rules (cardinality, types, choice, contentReference): http://hl7.org/fhir/R4/elementdefinition.html
//
// Expression style (documented in validate.ts): the JSON property path from the resource type, with
// `[i]` after every repeating element, e.g. `Patient.name[0].given[1]`, `Observation.valueQuantity.value`,
// `Bundle.entry[2].resource.subject.reference`, `Patient.birthDate.extension[0].url` (for `_birthDate`).

import { issue, type OutcomeIssue } from '../outcome.ts';
import {
  structureDefinitions, type ComplexModel, type ElementModel, type PropertyModel,
} from '../definitions/structure.ts';
import { primitiveCheck } from './primitives.ts';
import { checkRequiredBinding } from './bindings.ts';
import { checkReferenceTarget } from './references.ts';
import { equalsFixed, matchesPattern } from './fixed-pattern.ts';

// http://hl7.org/fhir/R4/resource.html#id — the same pattern as the `id` datatype.
const RESOURCE_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const UNDERSCORE = 95;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Models used on every call, resolved once. */
interface Core { element: ComplexModel; extension: ComplexModel }
let core: Core | undefined;

function coreModels(): Core {
  if (!core) {
    const { models } = structureDefinitions();
    core = { element: models.get('Element')!, extension: models.get('Extension')! };
  }
  return core;
}

/**
 * Validates a resource at `path` (its own type name at the top level; the containing element's path
 * for contained and Bundle/Parameters resources). `contained` marks resources inside `contained`.
 */
export function walkResource(
  value: unknown, path: string | undefined, issues: OutcomeIssue[], expectedType?: string, contained = false,
): void {
  const at = path ?? 'Resource';
  if (!isObject(value)) {
    issues.push(issue('error', 'structure', `A resource must be a JSON object, not ${kindOf(value)}`, [at]));
    return;
  }
  const type = value.resourceType;
  if (typeof type !== 'string') {
    issues.push(issue('error', 'structure', 'The resource has no resourceType', [at]));
    return;
  }
  const defs = structureDefinitions();
  if (!defs.resourceTypeSet.has(type)) {
    issues.push(issue('error', 'invalid', `Unknown resource type '${type}'`, [path ?? type]));
    return;
  }
  const root = path ?? type;
  if (expectedType !== undefined && type !== expectedType) {
    issues.push(issue('error', 'invalid', `Expected a ${expectedType} resource, found ${type}`, [`${root}.resourceType`]));
  }
  // Non-string and empty ids are reported by the `string` check of Resource.id in the walk below.
  const id = value.id;
  if (typeof id === 'string' && id.length > 0 && !RESOURCE_ID.test(id)) {
    issues.push(issue('error', 'value',
      `The resource id ${JSON.stringify(id)} is invalid: 1-64 characters from A-Z a-z 0-9 - .`, [`${root}.id`]));
  }
  if (contained) checkContainedRules(value, root, issues);
  walkComplex(value, defs.models.get(type)!, root, issues);
}

/** dom-2, dom-4: http://hl7.org/fhir/R4/domainresource.html#invs */
function checkContainedRules(value: Json, root: string, issues: OutcomeIssue[]): void {
  if (value.contained !== undefined) {
    issues.push(issue('error', 'invariant', 'dom-2: a contained resource SHALL NOT contain additional contained resources', [`${root}.contained`]));
  }
  const meta = value.meta;
  if (isObject(meta) && (meta.versionId !== undefined || meta.lastUpdated !== undefined)) {
    issues.push(issue('error', 'invariant', 'dom-4: a contained resource SHALL NOT have a meta.versionId or a meta.lastUpdated', [`${root}.meta`]));
  }
}

/** `hasValue`: the object is the `_x` companion of a primitive that has a value, which satisfies ele-1 by itself. */
function walkComplex(obj: Json, model: ComplexModel, path: string, issues: OutcomeIssue[], hasValue = false): void {
  const properties = model.properties;
  const isResource = model.kind === 'resource';
  let count = 0;
  for (const key in obj) {
    count++;
    const value = obj[key];
    const prop = properties.get(key);
    if (prop !== undefined) {
      walkProperty(obj, value, prop, `${path}.${key}`, issues);
    } else if (key.charCodeAt(0) === UNDERSCORE) {
      walkPrimitiveElement(obj, key, value, properties.get(key.slice(1)), path, issues);
    } else if (!(isResource && key === 'resourceType')) {
      issues.push(issue('error', 'structure', unknownMessage(model, key), [`${path}.${key}`]));
    }
  }
  // ele-1 (http://hl7.org/fhir/R4/element.html#invs): every element has a value or children other than id.
  if (!isResource && (count === 0 || (!hasValue && count === 1 && obj.id !== undefined))) {
    issues.push(issue('error', 'invariant', 'ele-1: an element must have a value or child elements', [path]));
  }
  for (const element of model.required) {
    if (!present(obj, element)) {
      issues.push(issue('error', 'required',
        `Missing required element '${element.choice ? element.name + '[x]' : element.name}' (minimum cardinality ${element.min})`,
        [`${path}.${element.name}`]));
    }
  }
  for (const element of model.choices) checkSingleChoice(obj, element, path, issues);
}

function present(obj: Json, element: ElementModel): boolean {
  for (const key of element.presenceKeys) if (obj[key] !== undefined) return true;
  return false;
}

/** http://hl7.org/fhir/R4/formats.html#choice — only one type of a choice element may be present. */
function checkSingleChoice(obj: Json, element: ElementModel, path: string, issues: OutcomeIssue[]): void {
  let found: string | undefined;
  const keys = element.presenceKeys;
  for (let i = 0; i < keys.length; i += 2) {
    if (obj[keys[i]] === undefined && obj[keys[i + 1]] === undefined) continue;
    if (found !== undefined) {
      issues.push(issue('error', 'structure',
        `Only one of the choice types of '${element.name}[x]' may be present, found ${found} and ${keys[i]}`, [`${path}.${keys[i]}`]));
      return;
    }
    found = keys[i];
  }
}

function unknownMessage(model: ComplexModel, key: string): string {
  for (const element of model.choices) {
    if (key.startsWith(element.name) && key.length > element.name.length && /^[A-Z]/.test(key.slice(element.name.length))) {
      const allowed = element.presenceKeys.filter((k) => k.charCodeAt(0) !== UNDERSCORE).join(', ');
      return `Unknown element '${key}': '${element.name}[x]' allows ${allowed}`;
    }
  }
  return `Unknown element '${key}'`;
}

function walkProperty(owner: Json, value: unknown, prop: PropertyModel, path: string, issues: OutcomeIssue[]): void {
  const element = prop.element;
  if (element.max === 0) {
    issues.push(issue('error', 'structure', `Element '${prop.key}' is not allowed here (maximum cardinality 0)`, [path]));
    return;
  }
  if (!element.repeating) {
    if (Array.isArray(value)) {
      issues.push(issue('error', 'structure', `Element '${prop.key}' does not repeat and must not be an array`, [path]));
      return;
    }
    walkValue(value, prop, path, issues);
    return;
  }
  if (!Array.isArray(value)) {
    issues.push(issue('error', 'structure', `Element '${prop.key}' repeats and must be an array`, [path]));
    walkValue(value, prop, path, issues);
    return;
  }
  checkArrayCardinality(value.length, element, prop.key, path, issues);
  const primitive = prop.type.model.kind === 'primitive-type';
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    const itemPath = `${path}[${i}]`;
    if (item === null) {
      // json.html#primitive: a null is only a placeholder where the parallel `_x` array carries the element.
      const companion = primitive ? owner['_' + prop.key] : undefined;
      if (!(Array.isArray(companion) && isObject(companion[i]))) {
        issues.push(issue('error', 'structure', `Array items of '${prop.key}' must not be null`, [itemPath]));
      }
      continue;
    }
    walkValue(item, prop, itemPath, issues);
  }
}

function checkArrayCardinality(length: number, element: ElementModel, key: string, path: string, issues: OutcomeIssue[]): void {
  if (length === 0) {
    issues.push(issue('error', 'structure', `Array '${key}' must not be empty (json.html: omit the property instead)`, [path]));
  } else if (length > element.max) {
    issues.push(issue('error', 'structure', `Element '${key}' has ${length} items, more than the maximum of ${element.max}`, [path]));
  } else if (length < element.min) {
    issues.push(issue('error', 'required', `Element '${key}' has ${length} items, fewer than the minimum of ${element.min}`, [path]));
  }
}

function walkValue(value: unknown, prop: PropertyModel, path: string, issues: OutcomeIssue[]): void {
  const type = prop.type;
  const model = type.model;
  if (model.kind === 'primitive-type') {
    const problem = primitiveCheck(model.name)(value);
    if (problem !== undefined) {
      issues.push(issue('error', 'value', `Invalid ${model.name}: ${problem}`, [path]));
      return;
    }
  } else if (model.kind === 'resource') {
    walkResource(value, path, issues, undefined, prop.element.name === 'contained');
    return;
  } else {
    if (!isObject(value)) {
      issues.push(issue('error', 'structure', `Element '${prop.key}' must be a JSON object (${type.code}), not ${kindOf(value)}`, [path]));
      return;
    }
    walkComplex(value, model, path, issues);
    if (type.code === 'Reference') checkReferenceTarget(value.reference, type.targets, `${path}.reference`, issues);
    else if (type.code === 'Extension') checkExtensionValue(value, path, issues);
  }
  const element = prop.element;
  if (element.binding !== undefined) checkRequiredBinding(value, type.code, element.binding, path, issues);
  if (element.fixed !== undefined && !equalsFixed(value, element.fixed)) {
    issues.push(issue('error', 'value', `Value must be exactly ${JSON.stringify(element.fixed)}`, [path]));
  }
  if (element.pattern !== undefined && !matchesPattern(value, element.pattern)) {
    issues.push(issue('error', 'value', `Value must match the pattern ${JSON.stringify(element.pattern)}`, [path]));
  }
}

/** ext-1 (http://hl7.org/fhir/R4/extensibility.html#invs): an extension has either a value[x] or nested extensions, not both. */
function checkExtensionValue(ext: Json, path: string, issues: OutcomeIssue[]): void {
  const hasValue = present(ext, coreModels().extension.choices[0]);
  const nested = ext.extension;
  const hasNested = Array.isArray(nested) && nested.length > 0;
  if (hasValue === hasNested) {
    issues.push(issue('error', 'invariant', hasValue
      ? 'ext-1: an extension must have either nested extensions or a value[x], not both'
      : 'ext-1: an extension must have either nested extensions or a value[x]', [path]));
  }
}

/**
 * `_x` carries the id/extensions of primitive `x` (json.html#primitive). For a repeating primitive it is
 * an array parallel to `x`, with null where an item has no id/extension.
 */
function walkPrimitiveElement(
  owner: Json, key: string, value: unknown, prop: PropertyModel | undefined, path: string, issues: OutcomeIssue[],
): void {
  const name = key.slice(1);
  const at = `${path}.${name}`;
  if (prop === undefined || prop.type.model.kind !== 'primitive-type') {
    issues.push(issue('error', 'structure', `Unknown element '${key}'`, [`${path}.${key}`]));
    return;
  }
  const element = coreModels().element;
  if (!prop.element.repeating) {
    if (!isObject(value)) {
      issues.push(issue('error', 'structure', `'${key}' must be a JSON object with id/extension`, [at]));
      return;
    }
    walkComplex(value, element, at, issues, owner[name] !== undefined);
    return;
  }
  if (!Array.isArray(value)) {
    issues.push(issue('error', 'structure', `'${key}' must be an array parallel to '${name}'`, [at]));
    return;
  }
  const primary = owner[name];
  if (Array.isArray(primary) && primary.length !== value.length) {
    issues.push(issue('error', 'structure', `'${key}' has ${value.length} items but '${name}' has ${primary.length}`, [at]));
  } else if (primary === undefined) {
    checkArrayCardinality(value.length, prop.element, key, at, issues);
  }
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (item === null) continue;
    if (!isObject(item)) {
      issues.push(issue('error', 'structure', `Items of '${key}' must be objects or null`, [`${at}[${i}]`]));
      continue;
    }
    walkComplex(item, element, `${at}[${i}]`, issues, Array.isArray(primary) && primary[i] !== null && primary[i] !== undefined);
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}
