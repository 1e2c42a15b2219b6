// Runs every patient's scenario and collects the clinical resources, plus the set of beds that
// current inpatients occupy (the ward board is built from it).
import type { DemoPatient } from './patients.ts';
import { createPrng } from './prng.ts';
import { PatientContext, RecordBook, type Built, type Physiology } from './record-context.ts';
import { recordAllergy } from './medications.ts';
import { SCENARIOS } from './scenarios.ts';
import type { StaffMember } from './staff.ts';
import type { LocalClock } from './time.ts';

// Approximate median height (cm) and weight (kg) of Chinese children by age, after the
// national growth references (《中国7岁以下儿童生长发育参照标准》 and school-age surveys).
const CHILD_GROWTH: readonly (readonly [number, number, number])[] = [
  [1, 76, 10], [2, 88, 12.5], [4, 104, 16.5], [6, 118, 21.5], [8, 130, 26.5],
  [10, 141, 33], [12, 152, 41], [15, 165, 52], [17, 170, 58],
];

function physiology(patient: DemoPatient, prng: ReturnType<typeof createPrng>): Physiology {
  if (patient.age < 18) {
    const upper = CHILD_GROWTH.findIndex(([age]) => age >= patient.age);
    const [a1, h1, w1] = CHILD_GROWTH[Math.max(upper - 1, 0)] as readonly [number, number, number];
    const [a2, h2, w2] = CHILD_GROWTH[upper === -1 ? CHILD_GROWTH.length - 1 : upper] as readonly [number, number, number];
    const t = a2 === a1 ? 0 : (patient.age - a1) / (a2 - a1);
    const scale = prng.decimal(0.94, 1.06, 2);
    const sexFactor = patient.gender === 'female' && patient.age >= 12 ? 0.96 : 1;
    return {
      heightCm: Math.round((h1 + (h2 - h1) * t) * scale * sexFactor),
      weightKg: Math.round((w1 + (w2 - w1) * t) * scale * sexFactor * 10) / 10,
    };
  }
  const heightCm = patient.gender === 'male' ? prng.int(163, 180) : prng.int(152, 166);
  const bmi = prng.decimal(19.5, 27.5, 1);
  return { heightCm, weightKg: Math.round(bmi * (heightCm / 100) ** 2 * 10) / 10 };
}

export interface Records { resources: Built[]; occupiedBeds: ReadonlySet<string> }

export function buildRecords(patients: readonly DemoPatient[], staff: readonly StaffMember[], clock: LocalClock): Records {
  const book = new RecordBook(clock, staff);
  for (const patient of patients) {
    // One stream per patient: a change to one story leaves the others as they were.
    const prng = createPrng(`records:${patient.id}`);
    const ctx = new PatientContext(book, patient, prng, physiology(patient, prng));
    SCENARIOS[patient.plan.scenario](ctx);
    const allergy = patient.plan.allergy;
    if (allergy) {
      // Allergies are asked about at the first visit (过敏史) and recorded then.
      const first = ctx.encounters.reduce((a, b) => (b.daysAgo > a.daysAgo ? b : a));
      recordAllergy(ctx, allergy, first);
    }
  }
  return { resources: book.resources, occupiedBeds: book.occupiedBeds };
}
