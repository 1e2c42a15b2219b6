// Local value set expansion for required-binding checks, from the ValueSets and CodeSystems HL7 ships
// in hl7.fhir.r4.examples (Bundle-valueset-expansions.json, Bundle-valuesets.json, Bundle-v3-valuesets.json,
// Bundle-v2-valuesets.json). Expansion rules: http://hl7.org/fhir/R4/valueset.html#expansion
// A value set that cannot be expanded completely from this local data (external systems such as SNOMED CT,
// BCP-13 mime types, UCUM, filters other than is-a, truncated expansions) yields `undefined`, and callers
// skip the check rather than guess.

import { readPackageBundle } from '../definitions/structure.ts';

/** The codes of an expanded value set, by code system URL. */
export interface ExpandedValueSet {
  readonly url: string;
  readonly systems: ReadonlyMap<string, ReadonlySet<string>>;
  /** Every code regardless of system, for `code` elements, which carry no system. */
  readonly codes: ReadonlySet<string>;
}

interface Concept { code?: string; concept?: Concept[]; contains?: Concept[]; system?: string }
interface ConceptSetComponent {
  system?: string;
  valueSet?: string[];
  concept?: { code: string }[];
  filter?: { property: string; op: string; value: string }[];
}
interface ValueSetResource {
  url: string;
  compose?: { include?: ConceptSetComponent[]; exclude?: ConceptSetComponent[] };
  expansion?: { contains?: Concept[]; extension?: { url: string }[] };
}
interface CodeSystemResource { url: string; content?: string; concept?: Concept[] }

// Expansions HL7 marked as incomplete: http://hl7.org/fhir/R4/extension-valueset-toocostly.html
const INCOMPLETE_EXPANSION = new Set([
  'http://hl7.org/fhir/StructureDefinition/valueset-toocostly',
  'http://hl7.org/fhir/StructureDefinition/valueset-unclosed',
]);

interface Terminology {
  valueSets: Map<string, ValueSetResource>;
  expansions: Map<string, ValueSetResource>;
  codeSystems: Map<string, CodeSystemResource>;
  cache: Map<string, ExpandedValueSet | null>;
}

let terminology: Terminology | undefined;

function load(): Terminology {
  const t: Terminology = { valueSets: new Map(), expansions: new Map(), codeSystems: new Map(), cache: new Map() };
  for (const file of ['Bundle-valuesets.json', 'Bundle-v3-valuesets.json', 'Bundle-v2-valuesets.json']) {
    for (const entry of readPackageBundle(file).entry ?? []) {
      const r = entry.resource as { resourceType?: string; url?: string } | undefined;
      if (!r?.url) continue;
      if (r.resourceType === 'ValueSet') t.valueSets.set(r.url, r as ValueSetResource);
      else if (r.resourceType === 'CodeSystem') t.codeSystems.set(r.url, r as CodeSystemResource);
    }
  }
  for (const entry of readPackageBundle('Bundle-valueset-expansions.json').entry ?? []) {
    const r = entry.resource as unknown as ValueSetResource | undefined;
    if (r?.url && r.expansion) t.expansions.set(r.url, r);
  }
  return t;
}

/** Expands a value set by canonical URL (a `|version` suffix is ignored); undefined when not locally expandable. */
export function expandValueSet(url: string): ExpandedValueSet | undefined {
  terminology ??= load();
  const canonical = url.split('|')[0];
  const cached = terminology.cache.get(canonical);
  if (cached !== undefined) return cached ?? undefined;
  terminology.cache.set(canonical, null); // guards against include cycles while expanding
  const systems = expand(terminology, canonical);
  if (!systems) return undefined;
  const codes = new Set<string>();
  for (const set of systems.values()) for (const code of set) codes.add(code);
  const result: ExpandedValueSet = { url: canonical, systems, codes };
  terminology.cache.set(canonical, result);
  return result;
}

type Systems = Map<string, Set<string>>;

function expand(t: Terminology, url: string): Systems | undefined {
  const expanded = t.expansions.get(url);
  if (expanded?.expansion && !expanded.expansion.extension?.some((x) => INCOMPLETE_EXPANSION.has(x.url))) {
    const systems: Systems = new Map();
    collectContains(expanded.expansion.contains ?? [], systems);
    return systems;
  }
  const vs = t.valueSets.get(url);
  if (!vs?.compose?.include) return undefined;
  const systems: Systems = new Map();
  for (const include of vs.compose.include) {
    const part = expandComponent(t, include);
    if (!part) return undefined;
    for (const [system, codes] of part) {
      const target = systems.get(system) ?? new Set<string>();
      for (const code of codes) target.add(code);
      systems.set(system, target);
    }
  }
  for (const exclude of vs.compose.exclude ?? []) {
    // Only explicit concept lists can be excluded safely; anything else would need a terminology server.
    if (!exclude.system || !exclude.concept || exclude.filter || exclude.valueSet) return undefined;
    for (const c of exclude.concept) systems.get(exclude.system)?.delete(c.code);
  }
  return systems;
}

function expandComponent(t: Terminology, include: ConceptSetComponent): Systems | undefined {
  let result: Systems | undefined;
  if (include.system) {
    const codes = systemCodes(t, include);
    if (!codes) return undefined;
    result = new Map([[include.system, codes]]);
  }
  // Included value sets intersect with each other and with the system part (valueset.html#compose).
  for (const ref of include.valueSet ?? []) {
    const other = expandValueSet(ref);
    if (!other) return undefined;
    result = result ? intersect(result, other.systems) : copy(other.systems);
  }
  return result;
}

function systemCodes(t: Terminology, include: ConceptSetComponent): Set<string> | undefined {
  if (include.concept) return new Set(include.concept.map((c) => c.code));
  const cs = t.codeSystems.get(include.system!);
  if (!cs || cs.content !== 'complete') return undefined;
  if (!include.filter || include.filter.length === 0) {
    const codes = new Set<string>();
    collectConcepts(cs.concept ?? [], codes);
    return codes;
  }
  if (include.filter.length !== 1) return undefined;
  const [filter] = include.filter;
  // Hierarchy filters over the CodeSystem's own concept nesting (codesystem.html#hierarchy).
  if (filter.property !== 'concept' || (filter.op !== 'is-a' && filter.op !== 'descendent-of')) return undefined;
  const root = findConcept(cs.concept ?? [], filter.value);
  if (!root) return undefined;
  const codes = new Set<string>();
  collectConcepts(root.concept ?? [], codes);
  if (filter.op === 'is-a') codes.add(filter.value);
  return codes;
}

function collectContains(contains: Concept[], systems: Systems): void {
  for (const c of contains) {
    if (c.system && c.code) {
      const set = systems.get(c.system) ?? new Set<string>();
      set.add(c.code);
      systems.set(c.system, set);
    }
    if (c.contains) collectContains(c.contains, systems);
  }
}

function collectConcepts(concepts: Concept[], codes: Set<string>): void {
  for (const c of concepts) {
    if (c.code) codes.add(c.code);
    if (c.concept) collectConcepts(c.concept, codes);
  }
}

function findConcept(concepts: Concept[], code: string): Concept | undefined {
  for (const c of concepts) {
    if (c.code === code) return c;
    const nested = c.concept && findConcept(c.concept, code);
    if (nested) return nested;
  }
  return undefined;
}

function intersect(a: Systems, b: ReadonlyMap<string, ReadonlySet<string>>): Systems {
  const out: Systems = new Map();
  for (const [system, codes] of a) {
    const other = b.get(system);
    if (other) out.set(system, new Set([...codes].filter((c) => other.has(c))));
  }
  return out;
}

function copy(systems: ReadonlyMap<string, ReadonlySet<string>>): Systems {
  return new Map([...systems].map(([s, codes]) => [s, new Set(codes)]));
}
