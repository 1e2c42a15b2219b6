// Outpatient (门诊号) and inpatient (住院号) numbers: the day and a database sequence, so numbers
// from several server processes never collide. Drawn inside the writing transaction.
import type { Queryable } from '../../fhir/index.ts';

async function next(tx: Queryable, sequence: 'emr_outpatient_number' | 'emr_inpatient_number'): Promise<string> {
  const { rows } = await tx.query<{ n: string | number }>(`SELECT nextval('${sequence}') AS n`);
  return String(rows[0]!.n).padStart(6, '0');
}

/** YYMMDD of an instant in the hospital's zone. */
function day(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: '2-digit', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}${get('month')}${get('day')}`;
}

export async function outpatientNumber(tx: Queryable, now: Date, timeZone: string): Promise<string> {
  return `MZ${day(now, timeZone)}${await next(tx, 'emr_outpatient_number')}`;
}

export async function inpatientNumber(tx: Queryable, now: Date, timeZone: string): Promise<string> {
  return `ZY${day(now, timeZone)}${await next(tx, 'emr_inpatient_number')}`;
}
