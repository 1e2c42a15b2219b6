// The R4 StructureDefinitions (resources, complex and primitive datatypes) compiled into a compact
// in-memory model for validation. Source: HL7's own definition bundles in the npm package
// hl7.fhir.r4.examples@4.0.1 (Bundle-resources.json, Bundle-types.json), never hand-written tables.
// Only the snapshot views are read: http://hl7.org/fhir/R4/structuredefinition.html#snapshot
// Element semantics follow http://hl7.org/fhir/R4/elementdefinition.html

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What a model describes; 'backbone' is an anonymous nested element defined inside a resource or type. */
export type ModelKind = 'resource' | 'complex-type' | 'primitive-type' | 'backbone';

/** One allowed type of an element (ElementDefinition.type). */
export interface TypeRef {
  /** The FHIR type code, e.g. 'string', 'Quantity', 'Reference', 'BackboneElement', 'Resource'. */
  readonly code: string;
  /** The model values of this type are validated against (a type profile such as SimpleQuantity when declared). */
  model: ComplexModel;
  /**
   * For Reference: the allowed target resource type names from `targetProfile`;
   * undefined when any resource is allowed (no targetProfile, or `Resource`).
   */
  readonly targets?: ReadonlySet<string>;
}

/** A required binding (ElementDefinition.binding with strength `required`). */
export interface RequiredBinding {
  /** Canonical URL without its `|version` suffix. */
  readonly valueSet: string;
}

export interface ElementModel {
  /** Definition path, e.g. 'Observation.value[x]'. */
  readonly path: string;
  /** Element name without the choice marker, e.g. 'value'. */
  readonly name: string;
  readonly min: number;
  /** Infinity for '*'. */
  readonly max: number;
  /** Whether JSON carries the element as an array; decided by the base definition's max (json.html#choice). */
  readonly repeating: boolean;
  readonly choice: boolean;
  types: TypeRef[];
  /** JSON property names that make the element present: `name`/`_name`, or every `valueX`/`_valueX` of a choice. */
  readonly presenceKeys: readonly string[];
  readonly binding?: RequiredBinding;
  readonly fixed?: unknown;
  readonly pattern?: unknown;
  /** Path of the referenced element for `contentReference`, e.g. 'Questionnaire.item'. */
  readonly contentReference?: string;
  /** ElementDefinition.isSummary: part of the `_summary=true` view (http://hl7.org/fhir/R4/search.html#summary). */
  readonly isSummary: boolean;
}

/** A JSON property name resolved to its element and (for choices) the type its suffix names. */
export interface PropertyModel {
  readonly key: string;
  readonly element: ElementModel;
  readonly type: TypeRef;
}

export interface ComplexModel {
  /** Type name, or the definition path of a backbone element. */
  readonly name: string;
  readonly kind: ModelKind;
  readonly abstract: boolean;
  /** JSON property name → element (choice elements expanded to one entry per type). */
  readonly properties: Map<string, PropertyModel>;
  /** Elements with min > 0. */
  readonly required: ElementModel[];
  /** Choice elements, checked for "only one of valueX" (http://hl7.org/fhir/R4/formats.html#choice). */
  readonly choices: ElementModel[];
  /** For primitive types: the value regex from the `regex` extension on `<type>.value`. */
  readonly regex?: string;
}

export interface StructureDefinitions {
  readonly models: ReadonlyMap<string, ComplexModel>;
  readonly resourceTypes: readonly string[];
  readonly resourceTypeSet: ReadonlySet<string>;
  /** Milliseconds spent reading and compiling, for diagnostics. */
  readonly loadMs: number;
}

const STRUCTURE_DEFINITION_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';
const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const REGEX_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/regex';
// FHIRPath system types appear on `.id`, `.url` and primitive `.value` elements.
// http://hl7.org/fhir/R4/datatypes.html#primitive
const SYSTEM_TYPES: Record<string, string> = {
  'http://hl7.org/fhirpath/System.String': 'string',
  'http://hl7.org/fhirpath/System.Boolean': 'boolean',
  'http://hl7.org/fhirpath/System.Integer': 'integer',
  'http://hl7.org/fhirpath/System.Decimal': 'decimal',
  'http://hl7.org/fhirpath/System.Date': 'date',
  'http://hl7.org/fhirpath/System.DateTime': 'dateTime',
  'http://hl7.org/fhirpath/System.Time': 'time',
};

let packageDir: string | undefined;

/** Directory of the installed hl7.fhir.r4.examples package, independent of the working directory. */
export function definitionPackageDir(): string {
  packageDir ??= dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
  return packageDir;
}

/** Parses one bundle file of the definition package, e.g. 'Bundle-valuesets.json'. Not cached. */
export function readPackageBundle(file: string): { entry?: { resource?: Record<string, unknown> }[] } {
  return JSON.parse(readFileSync(join(definitionPackageDir(), file), 'utf8'));
}

let compiled: StructureDefinitions | undefined;

/** The compiled model; built on first use, then shared. */
export function structureDefinitions(): StructureDefinitions {
  compiled ??= compile();
  return compiled;
}

/** All 146 concrete R4 resource types (no abstract Resource/DomainResource), sorted. */
export function resourceTypes(): string[] {
  return [...structureDefinitions().resourceTypes];
}

export function isResourceType(name: string): boolean {
  return structureDefinitions().resourceTypeSet.has(name);
}

/** Model of a resource, datatype or profile by name (e.g. 'Patient', 'HumanName', 'SimpleQuantity'). */
export function typeModel(name: string): ComplexModel | undefined {
  return structureDefinitions().models.get(name);
}

// ---- compilation ----

interface RawType { code: string; profile?: string[]; targetProfile?: string[]; extension?: RawExtension[] }
interface RawExtension { url: string; valueUrl?: string; valueString?: string }
interface RawElement {
  path: string; sliceName?: string; min?: number; max?: string; base?: { max?: string };
  type?: RawType[]; contentReference?: string; extension?: RawExtension[];
  binding?: { strength?: string; valueSet?: string };
  [key: string]: unknown;
}
interface RawStructureDefinition {
  resourceType: string; id: string; url: string; name: string; kind: string; abstract?: boolean;
  derivation?: string; type: string; snapshot?: { element: RawElement[] };
}

/** Type references are linked to models after every definition is compiled. */
interface PendingType { ref: { code: string; model: ComplexModel }; modelName: string }

function compile(): StructureDefinitions {
  const started = performance.now();
  const definitions: RawStructureDefinition[] = [];
  for (const file of ['Bundle-types.json', 'Bundle-resources.json']) {
    for (const entry of readPackageBundle(file).entry ?? []) {
      const r = entry.resource as unknown as RawStructureDefinition | undefined;
      if (r?.resourceType === 'StructureDefinition' && r.snapshot && r.kind !== 'logical') definitions.push(r);
    }
  }

  const models = new Map<string, ComplexModel>();
  const pending: PendingType[] = [];
  const profileNames = new Map<string, string>();
  for (const sd of definitions) profileNames.set(sd.url, sd.id);

  for (const sd of definitions) {
    models.set(sd.id, compileDefinition(sd, profileNames, pending));
  }
  for (const p of pending) {
    const model = models.get(p.modelName);
    if (!model) throw new Error(`StructureDefinition for type '${p.modelName}' not found in hl7.fhir.r4.examples`);
    p.ref.model = model;
  }

  const resourceTypes = definitions
    .filter((sd) => sd.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization')
    .map((sd) => sd.id)
    .sort();
  return { models, resourceTypes, resourceTypeSet: new Set(resourceTypes), loadMs: performance.now() - started };
}

function compileDefinition(
  sd: RawStructureDefinition, profileNames: Map<string, string>, pending: PendingType[],
): ComplexModel {
  const elements = sd.snapshot!.element.filter((e) => e.sliceName === undefined);
  const root = elements[0];
  const kind: ModelKind = sd.kind === 'resource' ? 'resource' : sd.kind === 'primitive-type' ? 'primitive-type' : 'complex-type';
  const rootModel = newModel(sd.id, kind, Boolean(sd.abstract), kind === 'primitive-type' ? primitiveRegex(elements) : undefined);
  // A constraint profile (e.g. SimpleQuantity) keeps its base type's paths ('Quantity.comparator').
  const byPath = new Map<string, ComplexModel>([[root.path, rootModel]]);
  const hasChildren = new Set<string>();
  for (const e of elements.slice(1)) hasChildren.add(e.path.slice(0, e.path.lastIndexOf('.')));

  // Primitive types expose only id/extension as JSON properties of their `_x` companion; their
  // `.value` element is the JSON value itself and is validated by format, not as a property.
  const ownElements = kind === 'primitive-type' ? [] : elements.slice(1);
  const contentRefs: { element: ElementModel; target: string }[] = [];

  for (const e of ownElements) {
    const parentPath = e.path.slice(0, e.path.lastIndexOf('.'));
    let parent = byPath.get(parentPath);
    if (!parent) {
      parent = newModel(parentPath, 'backbone', false);
      byPath.set(parentPath, parent);
    }
    const element = compileElement(e, profileNames, pending);
    if (hasChildren.has(e.path)) {
      let inline = byPath.get(e.path);
      if (!inline) {
        inline = newModel(e.path, 'backbone', false);
        byPath.set(e.path, inline);
      }
      element.types = [{ code: e.type?.[0]?.code ?? 'BackboneElement', model: inline }];
    }
    if (element.contentReference) contentRefs.push({ element, target: element.contentReference });
    addElement(parent, element);
  }
  for (const { element, target } of contentRefs) {
    const model = byPath.get(target);
    if (!model) throw new Error(`contentReference #${target} of ${element.path} does not resolve`);
    const ref: TypeRef = { code: 'BackboneElement', model };
    element.types.push(ref);
    const parent = byPath.get(element.path.slice(0, element.path.lastIndexOf('.')))!;
    parent.properties.set(element.name, { key: element.name, element, type: ref });
  }
  return rootModel;
}

function newModel(name: string, kind: ModelKind, abstract: boolean, regex?: string): ComplexModel {
  const model: ComplexModel = { name, kind, abstract, properties: new Map(), required: [], choices: [] };
  return regex === undefined ? model : { ...model, regex };
}

function addElement(parent: ComplexModel, element: ElementModel): void {
  if (element.min > 0) parent.required.push(element);
  if (element.choice) parent.choices.push(element);
  if (element.contentReference) return; // its property is added once the target is known
  if (element.choice) {
    for (const type of element.types) {
      const key = element.name + type.code[0].toUpperCase() + type.code.slice(1);
      parent.properties.set(key, { key, element, type });
    }
  } else {
    parent.properties.set(element.name, { key: element.name, element, type: element.types[0] });
  }
}

// Set on every TypeRef by the linking pass in compile(), once all models exist (types are mutually recursive).
const PLACEHOLDER = undefined as unknown as ComplexModel;

function compileElement(e: RawElement, profileNames: Map<string, string>, pending: PendingType[]): ElementModel {
  const last = e.path.slice(e.path.lastIndexOf('.') + 1);
  const choice = last.endsWith('[x]');
  const name = choice ? last.slice(0, -3) : last;
  const baseMax = e.base?.max ?? e.max ?? '1';
  const types: TypeRef[] = [];
  for (const t of e.type ?? []) {
    const code = typeCode(t);
    const profile = t.profile?.map((p) => profileNames.get(p)).find((n) => n !== undefined);
    const ref: { code: string; model: ComplexModel; targets?: ReadonlySet<string> } = { code, model: PLACEHOLDER };
    if (code === 'Reference') {
      const targets = (t.targetProfile ?? []).map((p) => p.startsWith(STRUCTURE_DEFINITION_PREFIX) ? p.slice(STRUCTURE_DEFINITION_PREFIX.length) : p);
      if (targets.length > 0 && !targets.includes('Resource')) ref.targets = new Set(targets);
    }
    pending.push({ ref, modelName: profile ?? code });
    types.push(ref);
  }
  const presenceKeys: string[] = [];
  if (choice) {
    for (const t of types) {
      const key = name + t.code[0].toUpperCase() + t.code.slice(1);
      presenceKeys.push(key, '_' + key);
    }
  } else {
    presenceKeys.push(name, '_' + name);
  }
  const element: {
    -readonly [K in keyof ElementModel]: ElementModel[K]
  } = {
    path: e.path,
    name,
    min: e.min ?? 0,
    max: e.max === '*' || e.max === undefined ? Infinity : Number(e.max),
    repeating: baseMax !== '1' && baseMax !== '0',
    choice,
    types,
    presenceKeys,
    isSummary: e.isSummary === true,
  };
  if (e.binding?.strength === 'required' && e.binding.valueSet) {
    element.binding = { valueSet: e.binding.valueSet.split('|')[0] };
  }
  if (e.contentReference) element.contentReference = e.contentReference.replace(/^#/, '');
  for (const key of Object.keys(e)) {
    if (key.startsWith('fixed')) element.fixed = e[key];
    else if (key.startsWith('pattern')) element.pattern = e[key];
  }
  return element;
}

/** `http://hl7.org/fhirpath/System.String` plus the fhir-type extension names the FHIR type (e.g. `uri` for Extension.url). */
function typeCode(t: RawType): string {
  const system = SYSTEM_TYPES[t.code];
  if (system === undefined) return t.code;
  const fhirType = t.extension?.find((x) => x.url === FHIR_TYPE_EXTENSION)?.valueUrl;
  return fhirType ?? system;
}

function primitiveRegex(elements: RawElement[]): string | undefined {
  const value = elements.find((e) => e.path.endsWith('.value'));
  const ext = value?.type?.[0]?.extension?.find((x) => x.url === REGEX_EXTENSION)
    ?? value?.extension?.find((x) => x.url === REGEX_EXTENSION);
  return ext?.valueString;
}
