// `_include` and `_revinclude` (http://hl7.org/fhir/R4/search.html#include): resources referenced by
// (or referencing) the matches, found through the reference index fhir_sp_reference. They are
// returned with search.mode = include, each once, and never counted in Bundle.total.
import type { Queryable } from '../storage/db.ts';
import type { ResourceVersion } from '../types.ts';
import type { IncludeRule } from './search-request.ts';
import { resourceColumns, toVersion, type ResourceRow } from './rows.ts';

/** Servers may bound the work of includes (search.html#include); these limits keep one page cheap. */
export const maxIncluded = 1000;
export const maxIterations = 5;

export interface IncludePlan {
  include: IncludeRule[];
  revinclude: IncludeRule[];
  /** `$everything`: everything any returned resource refers to (patient-operation-everything.html). */
  allReferences?: boolean;
}

const key = (v: { resourceType: string; id: string }) => `${v.resourceType}/${v.id}`;

export interface Included {
  resources: ResourceVersion[];
  /** False when a limit cut the set short; the client is told (search.html#include: servers may limit). */
  complete: boolean;
}

export async function loadIncludes(q: Queryable, plan: IncludePlan, matches: ResourceVersion[]): Promise<Included> {
  const seen = new Set(matches.map(key));
  const included: ResourceVersion[] = [];
  let sources = matches;
  let complete = true;
  // Rules without :iterate apply to the matches only; :iterate rules also to what they bring in.
  for (let round = 0; round < maxIterations && sources.length > 0 && included.length < maxIncluded; round++) {
    const include = plan.include.filter((r) => round === 0 || r.iterate);
    const revinclude = plan.revinclude.filter((r) => round === 0 || r.iterate);
    if (plan.allReferences && round === 0) include.push({ sourceType: '*', param: undefined, targetType: undefined, iterate: false });
    const found: ResourceVersion[] = [];
    for (const rule of include) found.push(...await forward(q, rule, sources));
    for (const rule of revinclude) found.push(...await reverse(q, rule, sources));
    const fresh: ResourceVersion[] = [];
    for (const v of found) {
      if (seen.has(key(v))) continue;
      if (included.length + fresh.length >= maxIncluded) {
        complete = false;
        continue;
      }
      seen.add(key(v));
      fresh.push(v);
    }
    included.push(...fresh);
    sources = fresh;
  }
  const iterating = plan.include.some((r) => r.iterate) || plan.revinclude.some((r) => r.iterate);
  if (iterating && sources.length > 0 && (await moreToIterate(q, plan, sources, seen))) complete = false;
  return { resources: included, complete };
}

/** After the last permitted round: would another :iterate round still bring in something new? */
async function moreToIterate(q: Queryable, plan: IncludePlan, sources: ResourceVersion[], seen: Set<string>): Promise<boolean> {
  for (const rule of plan.include.filter((r) => r.iterate)) {
    if ((await forward(q, rule, sources)).some((v) => !seen.has(key(v)))) return true;
  }
  for (const rule of plan.revinclude.filter((r) => r.iterate)) {
    if ((await reverse(q, rule, sources)).some((v) => !seen.has(key(v)))) return true;
  }
  return false;
}

function byType(sources: ResourceVersion[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of sources) out.set(s.resourceType, [...(out.get(s.resourceType) ?? []), s.id]);
  return out;
}

/** `_include=Source:param[:Target]`: the targets of the sources' references. */
async function forward(q: Queryable, rule: IncludeRule, sources: ResourceVersion[]): Promise<ResourceVersion[]> {
  const out: ResourceVersion[] = [];
  for (const [type, ids] of byType(sources)) {
    if (rule.sourceType !== '*' && rule.sourceType !== type) continue;
    const rows = await q.query<ResourceRow>(
      `SELECT ${resourceColumns} FROM fhir_resource r WHERE NOT r.deleted AND (r.resource_type, r.id) IN (
         SELECT x.target_type, x.target_id FROM fhir_sp_reference x
          WHERE x.resource_type = $1 AND x.id = ANY($2::text[]) AND ($3::text IS NULL OR x.param = $3::text)
            AND ($4::text IS NULL OR x.target_type = $4::text) AND x.target_id IS NOT NULL)
       ORDER BY r.resource_type, r.id LIMIT $5`,
      [type, ids, rule.param?.code ?? null, rule.targetType ?? null, maxIncluded]);
    out.push(...rows.rows.map(toVersion));
  }
  return out;
}

/** `_revinclude=Source:param[:Target]`: Source resources whose `param` refers to one of the sources. */
async function reverse(q: Queryable, rule: IncludeRule, sources: ResourceVersion[]): Promise<ResourceVersion[]> {
  const out: ResourceVersion[] = [];
  for (const [type, ids] of byType(sources)) {
    if (rule.targetType !== undefined && rule.targetType !== type) continue;
    const rows = await q.query<ResourceRow>(
      `SELECT ${resourceColumns} FROM fhir_resource r WHERE NOT r.deleted AND r.resource_type = $1 AND r.id IN (
         SELECT x.id FROM fhir_sp_reference x
          WHERE x.target_type = $2 AND x.target_id = ANY($3::text[]) AND x.resource_type = $1
            AND ($4::text IS NULL OR x.param = $4::text))
       ORDER BY r.id LIMIT $5`,
      [rule.sourceType, type, ids, rule.param?.code ?? null, maxIncluded]);
    out.push(...rows.rows.map(toVersion));
  }
  return out;
}
