// Evaluating search parameter expressions (http://hl7.org/fhir/R4/searchparameter.html#expression)
// to typed values. Most official expressions are plain element paths, optionally with a choice-type
// filter or a `where(...)`; those are compiled to a direct walk over the JSON ("fast path"), typed
// from the FHIRPath R4 model. Anything else goes through fhirpath.js, compiled once.
import fhirpath from 'fhirpath';
import type { Model } from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { splitUnion } from '../definitions/search-parameters.ts';

const model = r4 as Model;

/** One value an expression produced, with its FHIR type name (`HumanName`, `dateTime`, `boolean`, ...). */
export interface TypedValue {
  type: string;
  value: unknown;
}

export type Evaluator = (resource: Record<string, unknown>) => TypedValue[];

export interface CompiledExpression {
  evaluate: Evaluator;
  /** True when every union member compiled to the fast path. */
  fast: boolean;
}

/** Compiles `expression` for resources of `resourceType`. Throws when fhirpath.js cannot parse it. */
export function compileExpression(expression: string, resourceType: string): CompiledExpression {
  const parts = splitUnion(expression);
  const walkers: Walker[] = [];
  const slow: string[] = [];
  for (const part of parts) {
    const walker = compileFastPath(part, resourceType);
    if (walker) walkers.push(walker);
    else slow.push(part);
  }
  const slowEvaluator = slow.length > 0 ? compileWithFhirpath(slow.join(' | ')) : undefined;
  return {
    fast: slowEvaluator === undefined,
    evaluate: (resource) => {
      const out: TypedValue[] = [];
      for (const walk of walkers) walk(resource, out);
      if (slowEvaluator) for (const v of slowEvaluator(resource)) out.push(v);
      return out;
    },
  };
}

/**
 * Compiles `expression` relative to the elements at `contextPath` (a plain dotted path such as
 * `Observation.component`), as composite components are written
 * (http://hl7.org/fhir/R4/searchparameter-definitions.html#SearchParameter.component.expression).
 * Fast path only: undefined when either is beyond it.
 */
export function compileRelativeExpression(expression: string, contextPath: string, resourceType: string): Evaluator | undefined {
  const context = parseSimplePath(contextPath);
  if (!context || context.head !== resourceType) return undefined;
  let position: Position = { fhirType: resourceType, modelPath: resourceType };
  for (const step of context.steps) {
    const next = step.kind === 'child' ? childPositions(position, step.name) : [];
    if (next.length !== 1) return undefined;
    position = next[0]!.position;
  }
  const walkers: Walker[] = [];
  for (const part of splitUnion(expression)) {
    const parsed = parseSimplePath(part);
    if (!parsed || !/^[a-z]/.test(parsed.head)) return undefined;
    const walker = compileSteps([{ kind: 'child', name: parsed.head }, ...parsed.steps], [position]);
    if (walker === undefined) return undefined;
    if (walker !== never) walkers.push(walker);
  }
  return (element) => {
    const out: TypedValue[] = [];
    for (const walk of walkers) walk(element, out);
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// Fast path

type Walker = (value: unknown, out: TypedValue[]) => void;

type Step =
  | { kind: 'child'; name: string }
  | { kind: 'where-equals'; name: string; literal: string }
  | { kind: 'where-resolve-is'; type: string }
  | { kind: 'of-type'; type: string };

/** Static type of the values at one point of the path. */
interface Position {
  fhirType: string;
  /** Key under which the model lists this position's children (`Patient.contact` or `HumanName`). */
  modelPath: string;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Parses `Type.a.where(b='x').c`, `Type.a.ofType(T)`, `Type.a.as(T)` and `(Type.a as T).b`. */
export function parseSimplePath(part: string): { head: string; steps: Step[] } | undefined {
  let text = part.trim();
  const cast = /^\(([^()]+?)\s+as\s+([A-Za-z]+)\)(.*)$/.exec(text);
  if (cast) text = `${cast[1]}.ofType(${cast[2]})${cast[3]}`;
  const headMatch = identifier.exec(text);
  if (!headMatch) return undefined;
  const head = headMatch[0];
  const steps: Step[] = [];
  let rest = text.slice(head.length);
  while (rest.length > 0) {
    let m: RegExpExecArray | null;
    if ((m = /^\.(where)\(\s*([A-Za-z]+)\s*=\s*'([^'\\]*)'\s*\)/.exec(rest))) {
      steps.push({ kind: 'where-equals', name: m[2]!, literal: m[3]! });
    } else if ((m = /^\.where\(\s*resolve\(\)\s+is\s+([A-Za-z]+)\s*\)/.exec(rest))) {
      steps.push({ kind: 'where-resolve-is', type: m[1]! });
    } else if ((m = /^\.(?:ofType|as)\(\s*([A-Za-z]+)\s*\)/.exec(rest))) {
      steps.push({ kind: 'of-type', type: m[1]! });
    } else if ((m = /^\.([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_(])/.exec(rest))) {
      steps.push({ kind: 'child', name: m[1]! });
    } else {
      return undefined;
    }
    rest = rest.slice(m[0].length);
  }
  return { head, steps };
}


/** A step sequence that can never yield a value (an `ofType` no alternative satisfies). */
const never = 'never';
type Compiled = Walker | typeof never | undefined;

function compileFastPath(part: string, resourceType: string): Walker | undefined {
  const parsed = parseSimplePath(part);
  if (!parsed) return undefined;
  let steps = parsed.steps;
  if (/^[a-z]/.test(parsed.head)) steps = [{ kind: 'child', name: parsed.head }, ...steps];
  else if (parsed.head !== resourceType && parsed.head !== 'Resource' && parsed.head !== 'DomainResource') return undefined;
  const walker = compileSteps(steps, [{ fhirType: resourceType, modelPath: resourceType }]);
  if (walker === never) return () => undefined;
  return walker;
}

/**
 * Builds a walker for `steps` applied to values at `positions` (alternatives, for choice types);
 * undefined when the path leaves what the fast path understands.
 */
function compileSteps(steps: Step[], positions: Position[]): Compiled {
  if (steps.length === 0) {
    if (positions.length !== 1) return undefined;
    const type = positions[0]!.fhirType;
    return (value, out) => {
      out.push({ type, value });
    };
  }
  const [step, ...rest] = steps as [Step, ...Step[]];
  switch (step.kind) {
    case 'child': {
      // A choice-type child (`value[x]`) is one branch per JSON key (`valueQuantity`, ...), each
      // compiled with its static type, so that a following `ofType` is resolved at compile time.
      const branches: Array<{ key: string; next: Walker }> = [];
      for (const position of positions) {
        for (const child of childPositions(position, step.name)) {
          const next = compileSteps(rest, [child.position]);
          if (next === undefined) return undefined;
          if (next !== never) branches.push({ key: child.key, next });
        }
      }
      if (branches.length === 0) return never;
      return (value, out) => {
        if (value === null || typeof value !== 'object') return;
        const record = value as Record<string, unknown>;
        for (const { key, next } of branches) {
          const v = record[key];
          if (v === undefined || v === null) continue;
          if (Array.isArray(v)) {
            for (const item of v) if (item !== null && item !== undefined) next(item, out);
          } else {
            next(v, out);
          }
        }
      };
    }
    case 'of-type': {
      const kept = positions.filter((p) => sameType(p.fhirType, step.type));
      return kept.length === 0 ? never : compileSteps(rest, kept);
    }
    case 'where-equals': {
      const next = compileSteps(rest, positions);
      if (next === undefined || next === never) return next;
      const { name, literal } = step;
      return (value, out) => {
        if (value !== null && typeof value === 'object' && (value as Record<string, unknown>)[name] === literal) next(value, out);
      };
    }
    case 'where-resolve-is': {
      if (!positions.every((p) => p.fhirType === 'Reference')) return undefined;
      const next = compileSteps(rest, positions);
      if (next === undefined || next === never) return next;
      const { type } = step;
      return (value, out) => {
        if (referencedType(value) === type) next(value, out);
      };
    }
  }
}

/** The JSON keys and static types of the child `name` of `position` (several for a choice type). */
function childPositions(position: Position, name: string): Array<{ key: string; position: Position }> {
  const path = `${position.modelPath}.${name}`;
  const choices = model.choiceTypePaths[path];
  if (choices) {
    return choices.map((suffix) => {
      const fhirType = choiceSuffixType(suffix);
      return { key: name + suffix, position: { fhirType, modelPath: fhirType } };
    });
  }
  const redirected = model.pathsDefinedElsewhere[path];
  const declared = model.path2Type[path];
  if (declared === undefined) return [];
  const fhirType = declared.startsWith('System.') ? systemToFhirType(declared.slice(7)) : declared;
  if (fhirType === 'Resource') return [];
  const modelPath = fhirType === 'BackboneElement' || fhirType === 'Element' ? redirected ?? path : fhirType;
  return [{ key: name, position: { fhirType, modelPath } }];
}

const primitiveTypes = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer',
  'markdown', 'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid',
]);

/** `DateTime` (as in `effectiveDateTime`) → `dateTime`; complex types keep their name. */
function choiceSuffixType(suffix: string): string {
  const lower = suffix[0]!.toLowerCase() + suffix.slice(1);
  return primitiveTypes.has(lower) ? lower : suffix;
}

function sameType(actual: string, wanted: string): boolean {
  if (actual === wanted) return true;
  // `as Age`, `as SimpleQuantity` are profiles of Quantity; the model lists Quantity in choices.
  return actual.toLowerCase() === wanted.toLowerCase();
}

function systemToFhirType(name: string): string {
  switch (name) {
    case 'Boolean': return 'boolean';
    case 'Integer': return 'integer';
    case 'Decimal': return 'decimal';
    case 'Date': return 'date';
    case 'DateTime': return 'dateTime';
    case 'Time': return 'time';
    case 'Quantity': return 'Quantity';
    default: return 'string';
  }
}

const referenceType = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** The type a Reference points to, as far as can be known without resolving it. */
export function referencedType(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const ref = value as { reference?: unknown; type?: unknown };
  if (typeof ref.reference === 'string') {
    const m = referenceType.exec(ref.reference);
    if (m) return m[1];
  }
  return typeof ref.type === 'string' ? ref.type : undefined;
}

// ---------------------------------------------------------------------------------------------
// fhirpath.js path

interface FhirpathNode {
  data: unknown;
  getTypeInfo(): { name: string; namespace: string } | undefined;
}

const resolvedNodes = new Map<string, unknown>();

/**
 * A ResourceNode standing for a resource of `type`, made by fhirpath.js itself so that `is` accepts
 * it (it checks `instanceof` against its own class).
 */
function resourceNodeOf(type: string): unknown {
  let node = resolvedNodes.get(type);
  if (node === undefined) {
    node = (fhirpath.evaluate({ resourceType: type }, type, {}, model, { resolveInternalTypes: false }) as unknown[])[0];
    resolvedNodes.set(type, node);
  }
  return node;
}

/**
 * Synchronous `resolve()`: the search expressions only ask what type a reference points to
 * (`where(resolve() is Patient)`), which the reference text tells without a database read.
 */
const userInvocationTable = {
  resolve: {
    fn: (inputs: unknown[]) => inputs.flatMap((input) => {
      const type = referencedType(input);
      return type ? [resourceNodeOf(type)] : [];
    }),
    arity: { 0: [] },
  },
};

/** `(X as T)` demands a singleton in fhirpath.js; `X.ofType(T)` is the collection-safe equivalent. */
export function rewriteCasts(expression: string): string {
  return splitUnion(expression)
    .map((part) => part.replace(/^\(([^()]+?)\s+as\s+([A-Za-z]+)\)/, '$1.ofType($2)'))
    .join(' | ');
}

function compileWithFhirpath(expression: string): Evaluator {
  const compiled = fhirpath.compile(rewriteCasts(expression), model, { resolveInternalTypes: false, userInvocationTable });
  return (resource) => {
    const results = compiled(resource) as unknown[];
    const out: TypedValue[] = [];
    for (const r of results) {
      const typed = typedValue(r);
      if (typed) out.push(typed);
    }
    return out;
  };
}

function typedValue(result: unknown): TypedValue | undefined {
  if (result !== null && typeof result === 'object' && typeof (result as FhirpathNode).getTypeInfo === 'function') {
    const node = result as FhirpathNode;
    const info = node.getTypeInfo();
    const data = fhirpath.resolveInternalTypes(node.data);
    if (!info) return undefined;
    return { type: info.namespace === 'System' ? systemToFhirType(info.name) : info.name, value: data };
  }
  const plain = fhirpath.resolveInternalTypes(result) as unknown;
  switch (typeof plain) {
    case 'boolean': return { type: 'boolean', value: plain };
    case 'number': return { type: 'decimal', value: plain };
    case 'string': return { type: 'string', value: plain };
    default: return undefined;
  }
}
