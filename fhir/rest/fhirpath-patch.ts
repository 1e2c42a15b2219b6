// FHIRPath Patch — http://hl7.org/fhir/R4/fhirpatch.html. A Parameters resource lists `operation`
// parameters (add | insert | delete | replace | move) whose `path` is a FHIRPath expression. The path is
// evaluated with fhirpath.js on the R4 model; its ResourceNode results carry propName/index up to the
// root, which is how a match is found again in the JSON tree. Pure: the input resource is never mutated.
import fhirpath from 'fhirpath';
import type { Model } from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { typeModel, type ComplexModel, type PropertyModel } from '../definitions/structure.ts';
import { FhirError } from '../outcome.ts';
import type { Resource } from '../types.ts';

type Json = Record<string, unknown>;
type OperationType = 'add' | 'insert' | 'delete' | 'replace' | 'move';

interface Part { name?: unknown; part?: unknown; [key: string]: unknown }

/** A `value` part: a value[x] (`suffix` is the type part of its name, e.g. 'Quantity') or nested parts (fhirpatch.html#complex). */
interface PatchValue { json?: unknown; suffix?: string; parts?: Part[] }

interface Operation {
  type: OperationType;
  path: string;
  name?: string;
  value?: PatchValue;
  index?: number;
  source?: number;
  destination?: number;
  /** `Parameters.parameter[i]`, for error messages. */
  where: string;
}

/** A matched element in the JSON tree: property `key` of `parent`, at `index` when the property is an array. */
interface Slot {
  parent: Json;
  key: string;
  index: number | null;
  /** Model of `parent` and of the property, when the R4 definitions know them. */
  model?: ComplexModel;
  prop?: PropertyModel;
  /** Slots of the enclosing elements, outermost first, so emptied containers can be removed. */
  ancestors: Slot[];
}

/** The ResourceNode fields fhirpath.js sets while navigating (src/types.js). */
interface FhirpathNode { parentResNode: FhirpathNode | null; propName: string | null; index: number | null; fhirNodeDataType: string | null; data: unknown }

const operationTypes = new Set<OperationType>(['add', 'insert', 'delete', 'replace', 'move']);
const partNames = new Set(['type', 'path', 'name', 'value', 'index', 'source', 'destination']);
const model = r4 as Model;
const compiled = new Map<string, (resource: unknown) => unknown[]>();

export function applyFhirPathPatch(resource: Resource, parameters: unknown): Resource {
  const operations = parseParameters(parameters);
  const working = structuredClone(resource) as Json;
  // Operations apply in order, each to the result of the previous one (fhirpatch.html#semantics).
  for (const op of operations) apply(working, op);
  return working as Resource;
}

// ---- the Parameters document ----

function parseParameters(parameters: unknown): Operation[] {
  const doc = parameters as { resourceType?: unknown; parameter?: unknown } | null;
  if (!doc || typeof doc !== 'object' || doc.resourceType !== 'Parameters') {
    throw new FhirError('invalid-request', 'A FHIRPath Patch document is a Parameters resource');
  }
  if (doc.parameter === undefined) return [];
  if (!Array.isArray(doc.parameter)) throw invalid('Parameters.parameter must be an array', 'Parameters.parameter');
  return doc.parameter.map((p, i) => parseOperation(p as Part, `Parameters.parameter[${i}]`));
}

function parseOperation(param: Part, where: string): Operation {
  if (!param || typeof param !== 'object' || param.name !== 'operation') {
    throw invalid(`${where} must be an 'operation' parameter`, where);
  }
  if (!Array.isArray(param.part)) throw invalid(`${where} has no parts`, where);
  const parts = new Map<string, Part>();
  for (const part of param.part as Part[]) {
    const name = part?.name;
    if (typeof name !== 'string' || !partNames.has(name)) throw invalid(`${where} has an unknown part ${JSON.stringify(name ?? null)}`, where);
    if (parts.has(name)) throw invalid(`${where} repeats the part '${name}'`, where);
    parts.set(name, part);
  }
  const type = stringPart(parts, 'type', where) as OperationType;
  if (!operationTypes.has(type)) throw invalid(`${where} has an unknown operation type ${JSON.stringify(type ?? null)}`, where);
  const path = stringPart(parts, 'path', where);
  if (!path) throw invalid(`${where} (${type}) needs a path`, where);
  const op: Operation = { type, path, where };
  // Which parts each type needs: the operations table of fhirpatch.html.
  if (type === 'add') {
    op.name = stringPart(parts, 'name', where);
    if (!op.name) throw invalid(`${where} (add) needs a name`, where);
  }
  if (type === 'add' || type === 'insert' || type === 'replace') {
    const value = parts.get('value');
    if (!value) throw invalid(`${where} (${type}) needs a value`, where);
    op.value = parseValue(value, `${where}.part[value]`);
  }
  if (type === 'insert') op.index = integerPart(parts, 'index', where);
  if (type === 'move') {
    op.source = integerPart(parts, 'source', where);
    op.destination = integerPart(parts, 'destination', where);
  }
  return op;
}

function stringPart(parts: Map<string, Part>, name: string, where: string): string | undefined {
  const part = parts.get(name);
  if (!part) return undefined;
  const value = part.valueCode ?? part.valueString;
  if (typeof value !== 'string') throw invalid(`${where}: the '${name}' part takes a valueCode or valueString`, where);
  return value;
}

function integerPart(parts: Map<string, Part>, name: string, where: string): number {
  const value = parts.get(name)?.valueInteger;
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw invalid(`${where}: the '${name}' part must be a valueInteger of 0 or more`, where);
  }
  return value as number;
}

function parseValue(part: Part, where: string): PatchValue {
  const keys = Object.keys(part).filter((k) => /^value[A-Z]/.test(k));
  if (keys.length === 1 && part.part === undefined) {
    if (part[keys[0]] === null || part[keys[0]] === undefined) throw invalid(`${where} has an empty ${keys[0]}`, where);
    return { json: part[keys[0]], suffix: keys[0].slice('value'.length) };
  }
  if (keys.length === 0 && Array.isArray(part.part) && part.part.length > 0) {
    for (const sub of part.part as Part[]) {
      if (typeof sub?.name !== 'string') throw invalid(`${where} has a nested part without a name`, where);
      parseValue(sub, `${where}.part[${sub.name}]`);
    }
    return { parts: part.part as Part[] };
  }
  throw invalid(`${where} must hold exactly one value[x] or a list of parts`, where);
}

// ---- applying ----

function apply(root: Json, op: Operation): void {
  switch (op.type) {
    case 'add': {
      const target = container(root, single(root, op.path, op), op);
      const { key, prop } = property(target.model, op.name!, op.value!.suffix, op);
      const value = materialize(op.value!, prop?.type.model, op);
      if (prop ? prop.element.repeating : Array.isArray(target.obj[key])) {
        listAt(target.obj, key, op).push(value);
        if (Array.isArray(target.obj['_' + key])) (target.obj['_' + key] as unknown[]).push(null);
      } else {
        // "Add can be used for non-repeating elements as long as they do not already exist."
        const present = (prop?.element.presenceKeys ?? [key, '_' + key]).some((k) => target.obj[k] !== undefined);
        if (present) throw cannot(`${op.where}: ${op.name} already exists at ${op.path}; use replace`, op);
        target.obj[key] = value;
      }
      return;
    }
    case 'insert': {
      const { obj, key, prop } = collection(root, op);
      const list = listAt(obj, key, op, prop);
      if (op.index! > list.length) throw cannot(`${op.where}: index ${op.index} is past the end of ${op.path} (${list.length} items)`, op);
      list.splice(op.index!, 0, materialize(op.value!, prop?.type.model, op));
      if (Array.isArray(obj['_' + key])) (obj['_' + key] as unknown[]).splice(op.index!, 0, null);
      return;
    }
    case 'move': {
      const { obj, key } = collection(root, op);
      const list = obj[key];
      if (!Array.isArray(list)) throw cannot(`${op.where}: ${op.path} is not a list in this resource`, op);
      for (const at of [op.source!, op.destination!]) {
        if (at >= list.length) throw cannot(`${op.where}: index ${at} is outside ${op.path} (${list.length} items)`, op);
      }
      moveItem(list, op.source!, op.destination!);
      if (Array.isArray(obj['_' + key])) moveItem(obj['_' + key] as unknown[], op.source!, op.destination!);
      return;
    }
    case 'replace': {
      const slot = locate(root, single(root, op.path, op), op);
      replace(slot, op);
      return;
    }
    case 'delete': {
      // "Path of the element to delete (if found)": no match is not an error.
      const nodes = evaluate(root, op.path, op);
      if (nodes.length === 0) return;
      if (nodes.length > 1) throw cannot(`${op.where}: ${op.path} matches ${nodes.length} elements; only a single element can be deleted`, op);
      remove(locate(root, nodes[0], op));
      return;
    }
  }
}

function replace(slot: Slot, op: Operation): void {
  const value = op.value!;
  const { parent, index, prop } = slot;
  let key = slot.key;
  // A choice element may change type: Observation.value from valueString to valueQuantity (formats.html#choice).
  if (prop?.element.choice && value.suffix && key !== prop.element.name + value.suffix) {
    if (index !== null) throw cannot(`${op.where}: cannot change the type of a repeating choice element`, op);
    const next = slot.model?.properties.get(prop.element.name + value.suffix);
    if (slot.model && next?.element !== prop.element) {
      throw cannot(`${op.where}: ${prop.element.path} cannot be a ${value.suffix}`, op);
    }
    delete parent[key];
    delete parent['_' + key];
    key = prop.element.name + value.suffix;
    parent[key] = materialize(value, next?.type.model, op);
    return;
  }
  const json = materialize(value, prop?.type.model, op);
  // The new value replaces the whole element, so the old primitive's id/extensions (`_key`) go too.
  if (index !== null && Array.isArray(parent[key])) {
    (parent[key] as unknown[])[index] = json;
    const shadow = parent['_' + key];
    if (Array.isArray(shadow)) {
      shadow[index] = null;
      if (shadow.every((x) => x === null)) delete parent['_' + key];
    }
  } else {
    parent[key] = json;
    delete parent['_' + key];
  }
}

/** Removes the element; "deleting the last item" drops the property, and containers left empty go too (ele-1). */
function remove(slot: Slot): void {
  const { parent, key, index } = slot;
  if (index !== null && Array.isArray(parent[key])) {
    const list = parent[key] as unknown[];
    list.splice(index, 1);
    const shadow = parent['_' + key];
    if (Array.isArray(shadow)) {
      shadow.splice(index, 1);
      if (shadow.every((x) => x === null)) delete parent['_' + key];
    }
    if (list.length === 0 || list.every((x) => x === null)) delete parent[key];
  } else {
    delete parent[key];
    delete parent['_' + key];
  }
  const outer = slot.ancestors[slot.ancestors.length - 1];
  if (outer && Object.keys(parent).length === 0 && parent.resourceType === undefined) remove(outer);
}

function moveItem(list: unknown[], from: number, to: number): void {
  const [item] = list.splice(from, 1);
  list.splice(to, 0, item);
}

/** The array held in `obj[key]`, created when the element repeats and is absent. */
function listAt(obj: Json, key: string, op: Operation, prop?: PropertyModel): unknown[] {
  const current = obj[key];
  if (Array.isArray(current)) return current;
  if (current === undefined && (!prop || prop.element.repeating)) {
    const list: unknown[] = [];
    obj[key] = list;
    return list;
  }
  throw cannot(`${op.where}: ${key} is not a repeating element`, op);
}

/**
 * For insert and move the path names the list itself ("Path of the collection"), which may be empty:
 * the parent is found from the path without its last step, the list by that step's name.
 */
function collection(root: Json, op: Operation): { obj: Json; key: string; model?: ComplexModel; prop?: PropertyModel } {
  const match = /^(?:(.+)\.)?([A-Za-z][A-Za-z0-9_]*)$/.exec(op.path.trim());
  if (!match) throw invalid(`${op.where}: the ${op.type} path must end in the name of a list element, e.g. Patient.identifier`, op.where);
  const parentPath = match[1] ?? String(root.resourceType);
  const target = container(root, single(root, parentPath, op), op);
  const { key, prop } = property(target.model, match[2], op.value?.suffix, op);
  return { obj: target.obj, key, model: target.model, prop };
}

/** The JSON property for element `name` of a `model` object; a choice name takes the value's type (formats.html#choice). */
function property(model: ComplexModel | undefined, name: string, suffix: string | undefined, op: Operation): { key: string; prop?: PropertyModel } {
  if (!model) return { key: name };
  const direct = model.properties.get(name);
  if (direct) return { key: name, prop: direct };
  const typed = suffix ? model.properties.get(name + suffix) : undefined;
  if (typed && typed.element.name === name) return { key: name + suffix, prop: typed };
  throw invalid(`${op.where}: ${model.name} has no element '${name}'${suffix ? ` of type ${suffix}` : ''}`, op.where);
}

/** The JSON for a `value` part: value[x] as is, nested parts built into an object of the element's type. */
function materialize(value: PatchValue, model: ComplexModel | undefined, op: Operation): unknown {
  if (value.parts === undefined) return structuredClone(value.json);
  const obj: Json = {};
  for (const part of value.parts) {
    const sub = parseValue(part, op.where);
    const { key, prop } = property(model, part.name as string, sub.suffix, op);
    const json = materialize(sub, prop?.type.model, op);
    if (prop?.element.repeating || (!prop && obj[key] !== undefined)) {
      obj[key] = [...(Array.isArray(obj[key]) ? obj[key] as unknown[] : obj[key] === undefined ? [] : [obj[key]]), json];
    } else if (obj[key] !== undefined) {
      throw invalid(`${op.where}: the value repeats '${key}', which does not repeat`, op.where);
    } else {
      obj[key] = json;
    }
  }
  return obj;
}

// ---- FHIRPath evaluation and locating matches ----

function evaluate(root: Json, path: string, op: Operation): FhirpathNode[] {
  let fn = compiled.get(path);
  if (!fn) {
    try {
      fn = fhirpath.compile(path, model, { resolveInternalTypes: false }) as unknown as (resource: unknown) => unknown[];
    } catch (err) {
      throw invalid(`${op.where}: the path ${JSON.stringify(path)} is not valid FHIRPath: ${firstLine(err)}`, op.where);
    }
    if (compiled.size > 500) compiled.clear();
    compiled.set(path, fn);
  }
  let results: unknown[];
  try {
    results = fn(root);
  } catch (err) {
    throw cannot(`${op.where}: evaluating ${op.path} failed: ${firstLine(err)}`, op);
  }
  for (const r of results) {
    if (!r || typeof r !== 'object' || !('parentResNode' in r) || !('propName' in r)) {
      throw invalid(`${op.where}: the path ${JSON.stringify(path)} must select elements of the resource, not compute values`, op.where);
    }
  }
  return results as FhirpathNode[];
}

/** "The FHIRPath statement must return a single element" (fhirpatch.html, base rules). */
function single(root: Json, path: string, op: Operation): FhirpathNode {
  const nodes = evaluate(root, path, op);
  if (nodes.length !== 1) {
    throw cannot(`${op.where}: ${path} matches ${nodes.length === 0 ? 'nothing' : `${nodes.length} elements`}; it must resolve to a single element`, op);
  }
  return nodes[0];
}

/** The object a node stands for (the target of `add`, the parent of a list). */
function container(root: Json, node: FhirpathNode, op: Operation): { obj: Json; model?: ComplexModel } {
  if (!node.parentResNode) return { obj: root, model: typeModel(String(root.resourceType)) };
  const slot = locate(root, node, op);
  const obj = valueAt(slot);
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw cannot(`${op.where}: ${op.path} is a primitive; elements cannot be added to it`, op);
  const json = obj as Json;
  return { obj: json, model: typeof json.resourceType === 'string' ? typeModel(json.resourceType) : slot.prop?.type.model };
}

/** Walks the node's propName/index chain from the root down the JSON tree. */
function locate(root: Json, node: FhirpathNode, op: Operation): Slot {
  const chain: FhirpathNode[] = [];
  for (let n: FhirpathNode | null = node; n?.parentResNode; n = n.parentResNode) chain.unshift(n);
  if (chain.length === 0) throw cannot(`${op.where}: ${op.type} cannot apply to the resource itself`, op);
  let obj = root;
  let objModel = typeModel(String(root.resourceType));
  const ancestors: Slot[] = [];
  for (let i = 0; ; i++) {
    const step = chain[i];
    const key = jsonKey(obj, step);
    const slot: Slot = { parent: obj, key, index: step.index ?? null, model: objModel, prop: objModel?.properties.get(key), ancestors: [...ancestors] };
    if (i === chain.length - 1) return slot;
    const next = valueAt(slot);
    if (!next || typeof next !== 'object' || Array.isArray(next)) throw cannot(`${op.where}: cannot locate ${op.path} in the resource`, op);
    ancestors.push(slot);
    obj = next as Json;
    objModel = typeof obj.resourceType === 'string' ? typeModel(obj.resourceType) : slot.prop?.type.model;
  }
}

function valueAt(slot: Slot): unknown {
  const value = slot.parent[slot.key];
  return slot.index !== null && Array.isArray(value) ? value[slot.index] : value;
}

/** fhirpath.js names a choice element by its base name ('deceased'); JSON names it with the type ('deceasedBoolean'). */
function jsonKey(obj: Json, node: FhirpathNode): string {
  const name = node.propName!;
  if (name in obj || '_' + name in obj) return name;
  const type = node.fhirNodeDataType ?? '';
  const typed = name + type.charAt(0).toUpperCase() + type.slice(1);
  if (typed in obj || '_' + typed in obj) return typed;
  return Object.keys(obj).find((k) => k.startsWith(name) && /^[A-Z]/.test(k.slice(name.length))) ?? name;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

function invalid(message: string, where: string): FhirError {
  return new FhirError('invalid-request', message, { expression: [where] });
}

function cannot(message: string, op: Operation): FhirError {
  return new FhirError('unprocessable', message, { expression: [op.where] });
}
