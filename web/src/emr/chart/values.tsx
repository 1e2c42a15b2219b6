// How a value reads on screen: a vital sign (blood pressure as systolic/diastolic from the 85354-9
// panel's components) and the H / L flag badge of a result.
import { useChart } from './common.tsx';
import { codeOf, quantityText, type Observation } from './fhir.ts';
import type { Flag } from './results.ts';

export function VitalValue({ obs }: { obs: Observation }) {
  if (codeOf(obs.code) === '85354-9') {
    const part = (loinc: string) => obs.component?.find((c) => codeOf(c.code) === loinc)?.valueQuantity;
    const systolic = part('8480-6');
    const diastolic = part('8462-4');
    return <>{systolic?.value ?? '?'}/{diastolic?.value ?? '?'} {systolic?.unit ?? 'mmHg'}</>;
  }
  return <>{quantityText(obs.valueQuantity) || obs.valueString || ''}</>;
}

export function FlagBadge({ flag }: { flag: Flag | undefined }) {
  const { m } = useChart();
  if (!flag) return null;
  return <span className={`flag flag-${flag}`} data-testid="flag" data-flag={flag}>{m(flag === 'H' ? 'flagH' : flag === 'L' ? 'flagL' : 'flagA')}</span>;
}
