// The R4 CompartmentDefinitions (http://hl7.org/fhir/R4/compartmentdefinition.html), read from HL7's
// own files in hl7.fhir.r4.examples. For each resource type they list the reference search
// parameters that put a resource into the compartment of the referenced Patient, Encounter, …
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionPackageDir } from './structure.ts';

export interface Compartment {
  /** Patient, Encounter, RelatedPerson, Practitioner or Device. */
  resourceType: string;
  /** Resource type → reference parameters linking it to the compartment's owner. */
  params: ReadonlyMap<string, readonly string[]>;
  /** Whether the owner itself is a member (`{def}` in its definition). */
  includesOwner: boolean;
}

const files = ['patient', 'encounter', 'relatedPerson', 'practitioner', 'device'];

let loaded: Map<string, Compartment> | undefined;

function load(): Map<string, Compartment> {
  const out = new Map<string, Compartment>();
  for (const file of files) {
    const def = JSON.parse(readFileSync(join(definitionPackageDir(), `CompartmentDefinition-${file}.json`), 'utf8')) as {
      code: string; resource?: { code: string; param?: string[] }[];
    };
    const params = new Map<string, string[]>();
    let includesOwner = false;
    for (const r of def.resource ?? []) {
      // `{def}` means "the owner itself" (compartmentdefinition.html#resource): the Encounter compartment
      // holds its Encounter, while the Patient compartment holds other Patients only through `link`.
      if (r.code === def.code && (r.param ?? []).includes('{def}')) includesOwner = true;
      const codes = (r.param ?? []).filter((p) => !p.startsWith('{'));
      if (codes.length > 0) params.set(r.code, codes);
    }
    out.set(def.code, { resourceType: def.code, params, includesOwner });
  }
  return out;
}

/** The compartment owned by `resourceType` resources, if R4 defines one. */
export function compartment(resourceType: string): Compartment | undefined {
  loaded ??= load();
  return loaded.get(resourceType);
}
