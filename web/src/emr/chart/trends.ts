// What a trend chart plots: the vital signs of the R4 vital signs profiles
// (http://hl7.org/fhir/R4/observation-vitalsigns.html — blood pressure is the 85354-9 panel with
// systolic 8480-6 and diastolic 8462-4 components) and lab values, by LOINC code, as points in time
// with a reference band and the abnormal ones marked.
import { codeOf, type Observation, type ReferenceRange } from './fhir.ts';
import { flagOf, flagOfValue, type Flag } from './results.ts';

export interface VitalSeries {
  key: 'temperature' | 'pulse' | 'respiration' | 'bp' | 'spo2' | 'weight' | 'pain';
  loinc: string;
  /** For the BP panel: the components drawn as lines. */
  components?: { loinc: string; key: 'systolic' | 'diastolic'; band: [number, number] }[];
  unit: string;
  /** Usual adult values (age 14 and over), drawn when the Observations carry no reference range. */
  band?: [number, number];
}

export const VITAL_SERIES: readonly VitalSeries[] = [
  { key: 'temperature', loinc: '8310-5', unit: '℃', band: [36.0, 37.3] },
  { key: 'pulse', loinc: '8867-4', unit: '/min', band: [60, 100] },
  { key: 'respiration', loinc: '9279-1', unit: '/min', band: [12, 20] },
  { key: 'bp', loinc: '85354-9', unit: 'mmHg', components: [
    { loinc: '8480-6', key: 'systolic', band: [90, 139] },
    { loinc: '8462-4', key: 'diastolic', band: [60, 89] },
  ] },
  { key: 'spo2', loinc: '59408-5', unit: '%', band: [95, 100] },
  { key: 'weight', loinc: '29463-7', unit: 'kg' },
  { key: 'pain', loinc: '72514-3', unit: '/10', band: [0, 3] },
];

export interface Point { id: string; at: number; when: string; value: number; flag?: Flag }
export interface Line { key: string; points: Point[]; band?: [number, number] }

const when = (obs: Observation) => obs.effectiveDateTime ?? obs.issued ?? '';

function bandOf(range: ReferenceRange | undefined, fallback: [number, number] | undefined): [number, number] | undefined {
  if (range?.low?.value !== undefined && range.high?.value !== undefined) return [range.low.value, range.high.value];
  return fallback;
}

function pointsOf(list: readonly Observation[], value: (o: Observation) => { v?: number; flag?: Flag } | undefined): Point[] {
  const points: Point[] = [];
  for (const obs of list) {
    const at = Date.parse(when(obs));
    const found = value(obs);
    if (!Number.isFinite(at) || found?.v === undefined) continue;
    points.push({ id: obs.id, at, when: when(obs), value: found.v, flag: found.flag });
  }
  return points.sort((a, b) => a.at - b.at);
}

/** A single-valued series (a vital sign or a lab test); the band is the latest reference range, else `fallback`. */
export function valueLine(key: string, list: readonly Observation[], fallback?: [number, number]): Line {
  const ranged = [...list].reverse().find((o) => o.referenceRange?.length);
  const band = bandOf(ranged?.referenceRange?.[0], fallback);
  const points = pointsOf(list, (o) => {
    const v = o.valueQuantity?.value;
    const flag = flagOf(o) ?? (o.referenceRange?.length ? undefined : band ? flagOfValue(v, { low: { value: band[0] }, high: { value: band[1] } }) : undefined);
    return { v, flag };
  });
  return { key, points, band };
}

/** One line per component of a panel (blood pressure), each with its own band. */
export function componentLines(series: VitalSeries, list: readonly Observation[], adult: boolean): Line[] {
  return (series.components ?? []).map((c) => {
    const band = adult ? c.band : undefined;
    const points = pointsOf(list, (o) => {
      const comp = o.component?.find((x) => codeOf(x.code) === c.loinc);
      const v = comp?.valueQuantity?.value;
      const range = comp?.referenceRange?.[0] ?? (band ? { low: { value: band[0] }, high: { value: band[1] } } : undefined);
      return { v, flag: flagOfValue(v, range) };
    });
    return { key: c.key, points, band };
  });
}

/** The lab tests a patient has, by LOINC code, with the name to show (from the loaded Observations). */
export function labCodes(observations: readonly Observation[]): { loinc: string; sample: Observation }[] {
  const seen = new Map<string, Observation>();
  for (const obs of observations) {
    const code = codeOf(obs.code);
    if (code && obs.valueQuantity?.value !== undefined && !seen.has(code)) seen.set(code, obs);
  }
  return [...seen].map(([loinc, sample]) => ({ loinc, sample }));
}
