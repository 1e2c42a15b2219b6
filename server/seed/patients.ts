// Demo patients (患者). Each carries a resident ID (居民身份证号) whose address code, birth date
// and sex digit agree with the patient's address, birthDate and gender, a hospital MRN
// (病案号), for some a medical-insurance card number, a phone number in the 138-0000-xxxx
// range (reserved-looking and obviously fake), a Chinese address and zh-CN as language.
import { coding, concept, refTo, type Resource } from './fhir.ts';
import { humanNames, makeName, fullName, type ChineseName, type Gender } from './names.ts';
import { HOSPITAL_ID, HOSPITAL_NAME } from './organization.ts';
import { createPrng } from './prng.ts';
import { makeResidentId } from '../identity/resident-id.ts';
import {
  MEDICAL_INSURANCE_CARD_SYSTEM, MRN_SYSTEM, RESIDENT_ID_SYSTEM, SYSTEMS,
} from './systems.ts';
import type { LocalClock } from './time.ts';
import type { ScenarioKey } from './scenarios.ts';

interface Area { code: string; state: string; city: string; district: string; postalCode: string; streets: readonly string[] }

// GB/T 2260 county-level codes. Most patients live near the hospital; a few come from
// elsewhere in Zhejiang and from neighbouring provinces, as referral patients do.
const AREAS: readonly Area[] = [
  { code: '330106', state: '浙江省', city: '杭州市', district: '西湖区', postalCode: '310012', streets: ['文三路', '天目山路', '古墩路', '学院路'] },
  { code: '330102', state: '浙江省', city: '杭州市', district: '上城区', postalCode: '310002', streets: ['解放路', '清泰街', '望江路'] },
  { code: '330105', state: '浙江省', city: '杭州市', district: '拱墅区', postalCode: '310011', streets: ['湖墅南路', '莫干山路', '大关路'] },
  { code: '330108', state: '浙江省', city: '杭州市', district: '滨江区', postalCode: '310051', streets: ['江南大道', '滨盛路', '长河路'] },
  { code: '330110', state: '浙江省', city: '杭州市', district: '余杭区', postalCode: '311100', streets: ['文一西路', '五常大道'] },
  { code: '330109', state: '浙江省', city: '杭州市', district: '萧山区', postalCode: '311200', streets: ['市心路', '金城路'] },
  { code: '330203', state: '浙江省', city: '宁波市', district: '海曙区', postalCode: '315010', streets: ['中山西路', '解放南路'] },
  { code: '330602', state: '浙江省', city: '绍兴市', district: '越城区', postalCode: '312000', streets: ['解放北路', '胜利东路'] },
  { code: '310104', state: '上海市', city: '上海市', district: '徐汇区', postalCode: '200030', streets: ['漕溪北路', '衡山路'] },
  { code: '340104', state: '安徽省', city: '合肥市', district: '蜀山区', postalCode: '230031', streets: ['长江西路', '黄山路'] },
];

export interface PatientPlan { gender: Gender; age: number; scenario: ScenarioKey; allergy?: AllergyKey }
export type AllergyKey = 'penicillin' | 'aspirin' | 'seafood' | 'peanut' | 'egg';

/** Who the demo patients are; the scenario decides their records (scenarios.ts). */
export const PATIENT_PLANS: readonly PatientPlan[] = [
  { gender: 'male', age: 68, scenario: 'htn-dm' },
  { gender: 'female', age: 72, scenario: 'htn-lipid' },
  { gender: 'male', age: 75, scenario: 'chd', allergy: 'aspirin' },
  { gender: 'male', age: 58, scenario: 'pneumonia-inpatient', allergy: 'penicillin' },
  { gender: 'male', age: 71, scenario: 'copd-inpatient' },
  { gender: 'female', age: 45, scenario: 'gastritis' },
  { gender: 'male', age: 24, scenario: 'appendicitis-discharged' },
  { gender: 'female', age: 52, scenario: 'gallstone-inpatient' },
  { gender: 'male', age: 63, scenario: 'hernia' },
  { gender: 'female', age: 4, scenario: 'child-uri', allergy: 'egg' },
  { gender: 'male', age: 6, scenario: 'child-pneumonia-inpatient' },
  { gender: 'female', age: 9, scenario: 'child-bronchitis' },
  { gender: 'female', age: 29, scenario: 'pregnancy' },
  { gender: 'female', age: 34, scenario: 'ovarian-cyst' },
  { gender: 'male', age: 78, scenario: 'cataract' },
  { gender: 'female', age: 15, scenario: 'myopia' },
  { gender: 'male', age: 38, scenario: 'caries' },
  { gender: 'female', age: 41, scenario: 'gingivitis' },
  { gender: 'female', age: 27, scenario: 'eczema', allergy: 'seafood' },
  { gender: 'male', age: 19, scenario: 'acne' },
  { gender: 'female', age: 66, scenario: 'wrist-fracture' },
  { gender: 'male', age: 55, scenario: 'chest-pain' },
  { gender: 'male', age: 31, scenario: 'concussion' },
  { gender: 'male', age: 12, scenario: 'asthma', allergy: 'peanut' },
  { gender: 'female', age: 61, scenario: 'htn-dm', allergy: 'penicillin' },
  { gender: 'male', age: 49, scenario: 'htn-lipid' },
  { gender: 'female', age: 83, scenario: 'pneumonia-inpatient' },
  { gender: 'male', age: 36, scenario: 'appendicitis-inpatient' },
  { gender: 'female', age: 2, scenario: 'child-uri' },
  { gender: 'male', age: 8, scenario: 'child-pneumonia-inpatient' },
  // Enough current inpatients that every ward's bed board is busy (appended: earlier patients keep their ids and names).
  { gender: 'female', age: 77, scenario: 'copd-inpatient' },
  { gender: 'male', age: 64, scenario: 'pneumonia-inpatient', allergy: 'penicillin' },
  { gender: 'female', age: 47, scenario: 'gallstone-inpatient' },
  { gender: 'male', age: 22, scenario: 'appendicitis-inpatient' },
  { gender: 'female', age: 5, scenario: 'child-pneumonia-inpatient' },
  { gender: 'male', age: 3, scenario: 'child-pneumonia-inpatient', allergy: 'egg' },
];

export interface DemoPatient {
  id: string;
  index: number;
  name: ChineseName;
  display: string;
  gender: Gender;
  age: number;
  birthDate: string;
  residentId: string;
  plan: PatientPlan;
  resource: Resource & { id: string };
}

export const patientId = (index: number): string => `demo-pat-${String(index + 1).padStart(3, '0')}`;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function maritalStatus(age: number, prng: ReturnType<typeof createPrng>) {
  if (age < 20) return undefined;
  const code = age < 26 ? (prng.chance(0.8) ? 'S' : 'M')
    : age >= 75 ? (prng.chance(0.35) ? 'W' : 'M')
      : prng.chance(0.08) ? 'D' : prng.chance(0.1) ? 'S' : 'M';
  const labels = { S: ['Never Married', '未婚'], M: ['Married', '已婚'], W: ['Widowed', '丧偶'], D: ['Divorced', '离婚'] } as const;
  const [display, zh] = labels[code];
  return concept(coding(SYSTEMS.v3MaritalStatus, code, display), zh);
}

/**
 * A birth date that makes the patient exactly `age` whole years old on `now`: the birthday
 * fell `daysAgo` (1–364) days ago. 29 February becomes the 28th so every year has the date.
 */
export function birthDateFor(age: number, clock: LocalClock, daysAgo: number): string {
  const [year, month, day] = clock.date(daysAgo).split('-') as [string, string, string];
  const safeDay = month === '02' && day === '29' ? '28' : day;
  return `${pad(Number(year) - age, 4)}-${month}-${safeDay}`;
}

export function buildPatients(clock: LocalClock): DemoPatient[] {
  const prng = createPrng('patients');
  const taken = new Set<string>();
  return PATIENT_PLANS.map((plan, index) => {
    const id = patientId(index);
    const name = makeName(prng, plan.gender, taken);
    // Local areas are twice as likely as the rest.
    const area = prng.chance(0.7) ? prng.pick(AREAS.slice(0, 6)) : prng.pick(AREAS);
    const birthDate = birthDateFor(plan.age, clock, prng.int(1, 364));
    const sequence = prng.int(0, 499) * 2 + (plan.gender === 'male' ? 1 : 0);
    const residentId = makeResidentId(area.code, birthDate, sequence);
    const street = prng.pick(area.streets);
    const line = `${street}${prng.int(1, 399)}号${prng.chance(0.7) ? `${prng.int(1, 30)}幢${prng.int(1, 6)}单元${prng.int(1, 30)}0${prng.int(1, 4)}室` : ''}`;
    const phone = `1380000${pad(index + 1, 4)}`;
    const identifier: Record<string, unknown>[] = [
      {
        use: 'official',
        type: concept(coding(SYSTEMS.v2IdentifierType, 'NI', 'National unique individual identifier'), '居民身份证'),
        system: RESIDENT_ID_SYSTEM,
        value: residentId,
      },
      {
        use: 'usual',
        type: concept(coding(SYSTEMS.v2IdentifierType, 'MR', 'Medical record number'), '病案号'),
        system: MRN_SYSTEM,
        value: pad(10000001 + index, 8),
        assigner: refTo('Organization', HOSPITAL_ID, HOSPITAL_NAME),
      },
    ];
    if (prng.chance(0.65)) {
      identifier.push({
        use: 'secondary',
        type: concept(coding(SYSTEMS.v2IdentifierType, 'SB', 'Social Beneficiary Identifier'), '医保卡号'),
        system: MEDICAL_INSURANCE_CARD_SYSTEM,
        value: `${prng.pick(['A', 'B', 'C', 'D'])}${pad(prng.int(0, 99999999), 8)}`,
      });
    }
    const resource: Resource & { id: string } = {
      resourceType: 'Patient',
      id,
      language: 'zh-CN',
      identifier,
      active: true,
      name: humanNames(name),
      telecom: [{ system: 'phone', value: phone, use: 'mobile' }],
      gender: plan.gender,
      birthDate,
      address: [{
        use: 'home',
        type: 'physical',
        text: `${area.state}${area.state === area.city ? '' : area.city}${area.district}${line}`,
        line: [line],
        city: area.city,
        district: area.district,
        state: area.state,
        postalCode: area.postalCode,
        country: 'CN',
      }],
      communication: [{ language: concept(coding(SYSTEMS.bcp47, 'zh-CN', 'Chinese (China)'), '中文'), preferred: true }],
      managingOrganization: refTo('Organization', HOSPITAL_ID, HOSPITAL_NAME),
    };
    const marital = maritalStatus(plan.age, prng);
    if (marital) resource.maritalStatus = marital;
    const contact = contactFor(plan, name, index, prng, taken);
    if (contact) resource.contact = [contact];
    return { id, index, name, display: fullName(name), gender: plan.gender, age: plan.age, birthDate, residentId, plan, resource };
  });
}

/** Children get a parent as next of kin; the elderly an adult child as emergency contact. */
function contactFor(plan: PatientPlan, name: ChineseName, index: number, prng: ReturnType<typeof createPrng>, taken: Set<string>) {
  if (plan.age >= 18 && plan.age < 70) return undefined;
  const child = plan.age < 18;
  const gender: Gender = prng.pick(['male', 'female'] as const);
  // A child usually carries the father's surname; an adult son does too.
  const relativeName = makeName(prng, gender, taken);
  const family = gender === 'male' ? name.family : relativeName.family;
  const roleCode = child ? (gender === 'male' ? ['FTH', 'father', '父亲'] : ['MTH', 'mother', '母亲'])
    : (gender === 'male' ? ['SON', 'natural son', '儿子'] : ['DAU', 'natural daughter', '女儿']);
  return {
    relationship: [
      child
        ? concept(coding(SYSTEMS.v2Relationship, 'N', 'Next-of-Kin'))
        : concept(coding(SYSTEMS.v2Relationship, 'C', 'Emergency Contact')),
      concept(coding(SYSTEMS.v3RoleCode, roleCode[0] as string, roleCode[1]), roleCode[2]),
    ],
    name: { use: 'official', text: family + relativeName.given, family, given: [relativeName.given] },
    telecom: [{ system: 'phone', value: `1390000${pad(index + 1, 4)}`, use: 'mobile' }],
    gender,
  };
}
