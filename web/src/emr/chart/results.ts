// Reading lab results: the H / L flag (Observation.interpretation, v3 ObservationInterpretation, else
// computed from referenceRange as R4 §Observation.referenceRange defines it), the range as text, and
// the previous value of the same LOINC code for comparison.
import { codeOf, type Observation, type ReferenceRange } from './fhir.ts';

export type Flag = 'H' | 'L' | 'A';

const HIGH = new Set(['H', 'HH', 'HU', '>']);
const LOW = new Set(['L', 'LL', 'LU', '<']);
const ABNORMAL = new Set(['A', 'AA']);
const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

export function flagOfValue(value: number | undefined, range: ReferenceRange | undefined): Flag | undefined {
  if (value === undefined || !range) return undefined;
  if (range.high?.value !== undefined && value > range.high.value) return 'H';
  if (range.low?.value !== undefined && value < range.low.value) return 'L';
  return undefined;
}

export function flagOf(obs: Observation): Flag | undefined {
  for (const concept of obs.interpretation ?? []) {
    for (const c of concept.coding ?? []) {
      if (c.system && c.system !== V3) continue;
      if (HIGH.has(c.code ?? '')) return 'H';
      if (LOW.has(c.code ?? '')) return 'L';
      if (ABNORMAL.has(c.code ?? '')) return 'A';
      if (c.code === 'N') return undefined;
    }
  }
  return flagOfValue(obs.valueQuantity?.value, obs.referenceRange?.[0]);
}

export function rangeText(range: ReferenceRange | undefined): string {
  if (!range) return '';
  const low = range.low?.value;
  const high = range.high?.value;
  if (low !== undefined && high !== undefined) return `${low}–${high}`;
  if (low !== undefined) return `≥ ${low}`;
  if (high !== undefined) return `≤ ${high}`;
  return range.text ?? '';
}

const when = (obs: Observation) => obs.effectiveDateTime ?? obs.issued ?? '';
const time = (obs: Observation) => Date.parse(when(obs)) || 0;

export interface Comparison { previous: Observation; direction: '↑' | '↓' | '→' }

/**
 * The latest Observation of the same LOINC code taken before `obs`, among `all` (the results the
 * chart has loaded), and which way the value moved.
 */
export function previousOf(obs: Observation, all: readonly Observation[]): Comparison | undefined {
  const code = codeOf(obs.code);
  if (!code) return undefined;
  const at = time(obs);
  let previous: Observation | undefined;
  for (const other of all) {
    if (other.id === obs.id || codeOf(other.code) !== code || other.valueQuantity?.value === undefined) continue;
    const t = time(other);
    if (t < at && (!previous || t > time(previous))) previous = other;
  }
  if (!previous) return undefined;
  const now = obs.valueQuantity?.value;
  const before = previous.valueQuantity!.value!;
  const direction = now === undefined || now === before ? '→' : now > before ? '↑' : '↓';
  return { previous, direction };
}
