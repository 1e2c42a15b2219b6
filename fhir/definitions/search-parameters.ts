// The search parameters the server knows, per resource type (http://hl7.org/fhir/R4/searchparameter.html).
// The official R4 definitions come from HL7's own bundle in hl7.fhir.r4.examples (CC0); custom
// SearchParameter resources can be added at run time (followed by a $reindex of the affected type).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import r4 from 'fhirpath/fhir-context/r4';

/** http://hl7.org/fhir/R4/valueset-search-param-type.html */
export type SearchParamType =
  | 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

/** The parts of a SearchParameter resource the engine reads. */
export interface SearchParameterResource {
  resourceType: 'SearchParameter';
  id?: string;
  url?: string;
  code: string;
  base: string[];
  type: SearchParamType;
  expression?: string;
  target?: string[];
  component?: Array<{ definition: string; expression: string }>;
  [key: string]: unknown;
}

/** One search parameter as it applies to one resource type. */
export interface SearchParameterDefinition {
  code: string;
  /** The resource type this definition is for (never `Resource`: base params are copied per type). */
  resourceType: string;
  type: SearchParamType;
  /**
   * The FHIRPath expression restricted to this resource type: the official expressions are unions
   * over all bases (`Patient.name | Practitioner.name`), only the parts for this type are kept.
   * Undefined when the parameter has no expression (`_content`, `_query`, `_text`).
   */
  expression: string | undefined;
  /** Resource types a reference parameter can point to (SearchParameter.target). */
  targets: string[];
  /** Composite parameters: the component definitions (canonical URL) and their relative expressions. */
  components: Array<{ definition: string; expression: string }>;
  url: string | undefined;
}

/** Resource-level parameters that apply to every type (http://hl7.org/fhir/R4/search.html#all). */
const resourceLevelBases = new Set(['Resource', 'DomainResource']);

export class SearchParameterRegistry {
  private readonly byType = new Map<string, Map<string, SearchParameterDefinition>>();
  private readonly common = new Map<string, SearchParameterResource>();
  private readonly byUrl = new Map<string, SearchParameterResource>();
  private changeCount = 0;

  /** All concrete resource types of R4 (from the FHIRPath R4 model). */
  readonly resourceTypes: ReadonlySet<string> = concreteResourceTypes();

  /**
   * Incremented on every `add`, so that consumers holding compiled plans (index extraction) know
   * to rebuild them.
   */
  get version(): number {
    return this.changeCount;
  }

  /**
   * Adds (or replaces, matched by base and code) a SearchParameter. A parameter on `Resource` or
   * `DomainResource` applies to every resource type.
   */
  add(sp: SearchParameterResource): void {
    if (sp.resourceType !== 'SearchParameter' || typeof sp.code !== 'string' || !Array.isArray(sp.base)) {
      throw new TypeError('Not a SearchParameter with code and base');
    }
    if (sp.url) this.byUrl.set(sp.url, sp);
    for (const base of sp.base) {
      if (resourceLevelBases.has(base)) {
        this.common.set(sp.code, sp);
        for (const [type, params] of this.byType) params.set(sp.code, definitionFor(sp, type));
      } else {
        this.paramsOf(base).set(sp.code, definitionFor(sp, base));
      }
    }
    this.changeCount++;
  }

  get(resourceType: string, code: string): SearchParameterDefinition | undefined {
    return this.paramsOf(resourceType).get(code);
  }

  /** Every parameter of `resourceType`, the resource-level ones included. */
  forType(resourceType: string): SearchParameterDefinition[] {
    return [...this.paramsOf(resourceType).values()];
  }

  /** The SearchParameter resource with this canonical URL (e.g. a composite's component definition). */
  getByUrl(url: string): SearchParameterResource | undefined {
    return this.byUrl.get(url);
  }

  private paramsOf(resourceType: string): Map<string, SearchParameterDefinition> {
    let params = this.byType.get(resourceType);
    if (!params) {
      params = new Map();
      for (const sp of this.common.values()) params.set(sp.code, definitionFor(sp, resourceType));
      this.byType.set(resourceType, params);
    }
    return params;
  }
}

function definitionFor(sp: SearchParameterResource, resourceType: string): SearchParameterDefinition {
  const generic = sp.base.some((b) => resourceLevelBases.has(b));
  const expression = sp.expression ? restrictExpression(sp.expression, generic ? undefined : resourceType) : undefined;
  return {
    code: sp.code,
    resourceType,
    type: sp.type,
    expression,
    targets: sp.target ? restrictTargets(sp.target, expression) : [],
    components: sp.component ? sp.component.map((c) => ({ definition: c.definition, expression: c.expression })) : [],
    url: sp.url,
  };
}

/**
 * Keeps the union members of `expression` that start at `resourceType` (or at no type at all, such
 * as InsurancePlan's `name | alias`). With `resourceType` undefined the expression is kept whole.
 */
export function restrictExpression(expression: string, resourceType: string | undefined): string {
  if (!resourceType) return expression.trim();
  const parts = splitUnion(expression);
  const kept = parts.filter((part) => {
    const head = /^\(*\s*([A-Za-z]+)/.exec(part);
    if (!head) return true;
    const first = head[1]!;
    // A leading lower-case name is a path relative to the resource (no type prefix).
    return first === resourceType || first === 'Resource' || first === 'DomainResource' || /^[a-z]/.test(first);
  });
  return (kept.length > 0 ? kept : parts).join(' | ');
}

const refTypes = (r4 as { path2RefType: Record<string, string[]> }).path2RefType;

/**
 * SearchParameter.target lists the targets over all bases (clinical-patient: Patient and Group);
 * for one base, keep those its own expression can reach: the type in `where(resolve() is X)`, or
 * the element's declared targets in the R4 model.
 */
function restrictTargets(targets: string[], expression: string | undefined): string[] {
  if (!expression) return [...targets];
  const reachable = new Set<string>();
  for (const part of splitUnion(expression)) {
    const resolved = /\.where\(resolve\(\) is ([A-Za-z]+)\)$/.exec(part);
    const declared = /^[A-Z][A-Za-z]*(\.[a-z][A-Za-z]*)+$/.test(part) ? refTypes[part] : undefined;
    const types = resolved ? [resolved[1]!] : declared;
    if (!types) return [...targets];
    for (const t of types) reachable.add(t);
  }
  // `Resource` as a declared target means any type.
  if (reachable.has('Resource')) return [...targets];
  const kept = targets.filter((t) => reachable.has(t));
  return kept.length > 0 ? kept : [...targets];
}

/** Splits a FHIRPath expression on its top-level `|` operators (not inside parentheses or strings). */
export function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '\'' || c === '`' || c === '"') {
      quote = c;
    } else if (c === '(' || c === '[') {
      depth++;
    } else if (c === ')' || c === ']') {
      depth--;
    } else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

function concreteResourceTypes(): Set<string> {
  const parents = r4.type2Parent as Record<string, string>;
  const out = new Set<string>();
  for (const type of Object.keys(parents)) {
    let p: string | undefined = parents[type];
    while (p && !resourceLevelBases.has(p)) p = parents[p];
    if (p && !resourceLevelBases.has(type)) out.add(type);
  }
  return out;
}

/** Location of the official bundle, found through module resolution so that any cwd works. */
function officialBundlePath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('hl7.fhir.r4.examples/package.json')), 'Bundle-searchParams.json');
}

interface BundleOfSearchParameters {
  entry?: Array<{ resource?: SearchParameterResource }>;
}

/** A new registry holding the official R4 search parameters (1,372 with an expression; ~0.2 s to load). */
export function loadOfficialSearchParameters(): SearchParameterRegistry {
  const bundle = JSON.parse(readFileSync(officialBundlePath(), 'utf8')) as BundleOfSearchParameters;
  const registry = new SearchParameterRegistry();
  for (const entry of bundle.entry ?? []) {
    // `_content`, `_query`, `_text` and the DomainResource `_text` have no expression: not supported.
    if (entry.resource?.resourceType === 'SearchParameter' && entry.resource.expression) registry.add(entry.resource);
  }
  return registry;
}

let defaultInstance: SearchParameterRegistry | undefined;

/** The process-wide registry of official parameters, loaded on first use. */
export function defaultRegistry(): SearchParameterRegistry {
  defaultInstance ??= loadOfficialSearchParameters();
  return defaultInstance;
}

export function getSearchParameter(resourceType: string, code: string): SearchParameterDefinition | undefined {
  return defaultRegistry().get(resourceType, code);
}

export function searchParametersFor(resourceType: string): SearchParameterDefinition[] {
  return defaultRegistry().forType(resourceType);
}
