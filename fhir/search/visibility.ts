// Which of some resources a caller may see: the type must be readable, and a resource of a Patient
// compartment type must be in the compartment of one of the caller's patients. Used where resources
// are found other than by a bounded search: reads, includes, history, operation targets.
import type { Queryable } from '../storage/db.ts';
import { boundedByCompartment, type Access } from '../access.ts';
import { patientAccessCondition } from './compartment-sql.ts';

const key = (v: { resourceType: string; id: string }) => `${v.resourceType}/${v.id}`;

/** Keys (`Type/id`) of the visible ones among `items`. */
export async function visibleKeys(q: Queryable, access: Access | undefined, items: readonly { resourceType: string; id: string }[]): Promise<Set<string>> {
  if (!access) return new Set(items.map(key));
  const out = new Set<string>();
  const check: { resourceType: string; id: string }[] = [];
  for (const item of items) {
    if (!access.allows(item.resourceType, 'read')) continue;
    if (boundedByCompartment(access, item.resourceType)) check.push(item);
    else out.add(key(item));
  }
  if (check.length === 0) return out;
  const values: unknown[] = [check.map((c) => c.resourceType), check.map((c) => c.id)];
  const bind = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const types = [...new Set(check.map((c) => c.resourceType))];
  const condition = patientAccessCondition(access.patients!, types, bind, access.openTypes);
  const rows = (await q.query<{ resource_type: string; id: string }>(
    `SELECT r.resource_type, r.id FROM unnest($1::text[], $2::text[]) AS r(resource_type, id) WHERE ${condition}`, values)).rows;
  for (const row of rows) out.add(`${row.resource_type}/${row.id}`);
  return out;
}

/** `items` without those the caller may not see, order kept. */
export async function onlyVisible<T extends { resourceType: string; id: string }>(q: Queryable, access: Access | undefined, items: T[]): Promise<T[]> {
  if (!access || items.length === 0) return items;
  const keys = await visibleKeys(q, access, items);
  return items.filter((i) => keys.has(key(i)));
}
