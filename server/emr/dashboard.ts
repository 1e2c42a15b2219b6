// The operations dashboard: aggregates computed with SQL over the engine's stored FHIR resources
// (fhir_resource's JSONB and the search index tables of fhir/storage/migrations), so the figures are
// the record's own — no side tables. Aggregates only: no patient is named.
import type { Database } from '../../fhir/index.ts';
import { addDays, daysBetween, type Calendar } from '../booking/calendar.ts';

export interface Dashboard {
  from: string;
  to: string;
  /** Appointments made (Appointment.created, else when first stored), by local hour of day. */
  bookingsPerHour: { hour: number; count: number }[];
  /** noshow / (fulfilled + arrived + checked-in + noshow) of appointments due in the range; null without any. */
  noShowRate: number | null;
  /** From arrival (check-in) to being seen: the arrived period of Encounter.statusHistory; null without any. */
  averageWaitMinutes: number | null;
  waitsPerDay: { date: string; minutes: number }[];
  /** Now, per ward: beds whose operationalStatus is O (v2-0116 Occupied) of all beds. */
  occupancy: { ward: string; name: string; nameEn?: string; occupied: number; total: number }[];
  /** Inpatient (IMP) encounters starting and ending on each day. */
  admissionsPerDay: { date: string; admissions: number; discharges: number }[];
}

/** A FHIR dateTime with a time as timestamptz; anything else (a bare date, a partial date) as NULL. */
const instant = (expr: string): string => `(CASE WHEN ${expr} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' THEN (${expr})::timestamptz END)`;
const localDay = (expr: string): string => `to_char(${expr} AT TIME ZONE $3, 'YYYY-MM-DD')`;
/** Resources of one type whose search-index date interval (param) meets [$1, $2). */
const dateInRange = (type: string, param: string): string =>
  `SELECT DISTINCT id FROM fhir_sp_date WHERE resource_type = '${type}' AND param = '${param}' AND (low IS NULL OR low < $2) AND (high IS NULL OR high >= $1)`;

interface Json { [key: string]: any }

/** The English translation of a string element (R4 translation extension on its `_element`). */
function english(element: Json | null): string | undefined {
  const translation = ((element?.extension ?? []) as Json[]).find((x) => x.url === 'http://hl7.org/fhir/StructureDefinition/translation'
    && (x.extension as Json[] | undefined)?.some((p) => p.url === 'lang' && p.valueCode === 'en'));
  return (translation?.extension as Json[] | undefined)?.find((p) => p.url === 'content')?.valueString;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

async function bookingsPerHour(db: Database, params: unknown[]): Promise<Dashboard['bookingsPerHour']> {
  // An appointment made in the range was last changed in it or later: the updated index bounds the scan.
  const { rows } = await db.query<{ hour: number; count: number }>(
    `SELECT extract(hour FROM made AT TIME ZONE $3)::int AS hour, count(*)::int AS count FROM (
       SELECT COALESCE(${instant("r.content->>'created'")},
         (SELECT h.last_updated FROM fhir_resource_history h WHERE h.resource_type = r.resource_type AND h.id = r.id AND h.version_id = 1)) AS made
       FROM fhir_resource r
       WHERE r.resource_type = 'Appointment' AND NOT r.deleted AND r.last_updated >= $1
         AND r.content->>'status' NOT IN ('proposed', 'entered-in-error')) a
     WHERE made >= $1 AND made < $2 GROUP BY 1`, params);
  const byHour = new Map(rows.map((r) => [Number(r.hour), Number(r.count)]));
  return Array.from({ length: 24 }, (_, hour) => ({ hour, count: byHour.get(hour) ?? 0 }));
}

async function noShowRate(db: Database, params: unknown[]): Promise<number | null> {
  const { rows } = await db.query<{ noshow: number; total: number }>(
    `SELECT count(*) FILTER (WHERE r.content->>'status' = 'noshow')::int AS noshow, count(*)::int AS total
     FROM fhir_resource r
     WHERE r.resource_type = 'Appointment' AND NOT r.deleted AND r.id IN (${dateInRange('Appointment', 'date')})
       AND r.content->>'status' IN ('noshow', 'fulfilled', 'arrived', 'checked-in')
       AND ${instant("r.content->>'start'")} >= $1 AND ${instant("r.content->>'start'")} < $2`, params.slice(0, 2));
  const { noshow, total } = rows[0] ?? { noshow: 0, total: 0 };
  return Number(total) > 0 ? Number(noshow) / Number(total) : null;
}

async function waits(db: Database, params: unknown[]): Promise<Pick<Dashboard, 'averageWaitMinutes' | 'waitsPerDay'>> {
  const { rows } = await db.query<{ day: string; minutes: number; n: number }>(
    `SELECT ${localDay('arrived')} AS day, sum(extract(epoch FROM seen - arrived)) / 60 AS minutes, count(*)::int AS n FROM (
       SELECT ${instant("e->'period'->>'start'")} AS arrived, ${instant("e->'period'->>'end'")} AS seen
       FROM fhir_resource r CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.content->'statusHistory') = 'array' THEN r.content->'statusHistory' ELSE '[]'::jsonb END) e
       WHERE r.resource_type = 'Encounter' AND NOT r.deleted AND r.id IN (${dateInRange('Encounter', 'date')})
         AND r.content->'class'->>'code' = 'AMB' AND e->>'status' = 'arrived') w
     WHERE arrived >= $1 AND arrived < $2 AND seen >= arrived GROUP BY 1 ORDER BY 1`, params);
  const total = rows.reduce((s, r) => s + Number(r.n), 0);
  const minutes = rows.reduce((s, r) => s + Number(r.minutes), 0);
  return {
    averageWaitMinutes: total > 0 ? round1(minutes / total) : null,
    waitsPerDay: rows.map((r) => ({ date: r.day, minutes: round1(Number(r.minutes) / Number(r.n)) })),
  };
}

async function occupancy(db: Database): Promise<Dashboard['occupancy']> {
  // Ward ← room ← bed by Location.partOf, physicalType wa / ro / bd (location-physical-type).
  const { rows } = await db.query<{ ward: string; name: string | null; name_element: Json | string | null; occupied: number; total: number }>(
    `WITH location AS (
       SELECT id, content, content->'partOf'->>'reference' AS parent,
         (SELECT c->>'code' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(content->'physicalType'->'coding') = 'array' THEN content->'physicalType'->'coding' ELSE '[]'::jsonb END) c
          WHERE c->>'system' = 'http://terminology.hl7.org/CodeSystem/location-physical-type' LIMIT 1) AS kind
       FROM fhir_resource WHERE resource_type = 'Location' AND NOT deleted)
     SELECT w.id AS ward, w.content->>'name' AS name, w.content->'_name' AS name_element,
       count(b.id) FILTER (WHERE b.content->'operationalStatus'->>'code' = 'O')::int AS occupied, count(b.id)::int AS total
     FROM location w
     JOIN location ro ON ro.kind = 'ro' AND ro.parent = 'Location/' || w.id
     JOIN location b ON b.kind = 'bd' AND b.parent = 'Location/' || ro.id
     WHERE w.kind = 'wa'
     GROUP BY w.id, w.content ORDER BY w.id`);
  return rows.map((r) => {
    const nameEn = english(typeof r.name_element === 'string' ? JSON.parse(r.name_element) as Json : r.name_element);
    return { ward: r.ward, name: r.name ?? r.ward, ...(nameEn ? { nameEn } : {}), occupied: Number(r.occupied), total: Number(r.total) };
  });
}

async function admissionsPerDay(db: Database, params: unknown[], days: string[]): Promise<Dashboard['admissionsPerDay']> {
  const { rows } = await db.query<{ day: string; admissions: number; discharges: number }>(
    `SELECT day, count(*) FILTER (WHERE what = 'in')::int AS admissions, count(*) FILTER (WHERE what = 'out')::int AS discharges FROM (
       SELECT 'in' AS what, ${instant("r.content->'period'->>'start'")} AS at FROM fhir_resource r
       WHERE r.resource_type = 'Encounter' AND NOT r.deleted AND r.id IN (${dateInRange('Encounter', 'date')})
         AND r.content->'class'->>'code' = 'IMP' AND r.content->>'status' NOT IN ('cancelled', 'entered-in-error')
       UNION ALL
       SELECT 'out', ${instant("r.content->'period'->>'end'")} FROM fhir_resource r
       WHERE r.resource_type = 'Encounter' AND NOT r.deleted AND r.id IN (${dateInRange('Encounter', 'date')})
         AND r.content->'class'->>'code' = 'IMP' AND r.content->>'status' = 'finished') m
     CROSS JOIN LATERAL (SELECT ${localDay('m.at')} AS day) d
     WHERE at >= $1 AND at < $2 GROUP BY day`, params);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return days.map((date) => ({ date, admissions: Number(byDay.get(date)?.admissions ?? 0), discharges: Number(byDay.get(date)?.discharges ?? 0) }));
}

/** The dashboard for the local days from … to (inclusive). Reads outside any transaction (one query at a time). */
export async function dashboard(db: Database, calendar: Calendar, from: string, to: string): Promise<Dashboard> {
  const params = [calendar.dayBounds(from)[0].toISOString(), calendar.dayBounds(to)[1].toISOString(), calendar.timeZone];
  const days = Array.from({ length: daysBetween(from, to) + 1 }, (_, i) => addDays(from, i));
  const perHour = await bookingsPerHour(db, params);
  const rate = await noShowRate(db, params);
  const waited = await waits(db, params);
  const beds = await occupancy(db);
  const admissions = await admissionsPerDay(db, params, days);
  return { from, to, bookingsPerHour: perHour, noShowRate: rate, ...waited, occupancy: beds, admissionsPerDay: admissions };
}
