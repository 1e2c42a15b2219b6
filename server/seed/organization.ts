// The demo hospital itself: one Organization (type prov), a 三级甲等 (Grade III, Class A)
// general hospital. The hospital is fictional; its address uses a real district so that
// address-driven features (GB/T 2260 area codes, postcodes) behave as they would in production.
import { coding, concept, english, type Resource } from './fhir.ts';
import { HOSPITAL_GRADE_SYSTEM, SYSTEMS, USCC_SYSTEM } from './systems.ts';

export const HOSPITAL_ID = 'demo-org-1';
export const HOSPITAL_NAME = 'Open HIS 示范医院';
export const HOSPITAL_NAME_EN = 'Open HIS Demo Hospital';

/** Where the hospital is: 浙江省杭州市西湖区 (GB/T 2260 code 330106). */
export const HOSPITAL_AREA = {
  state: '浙江省', city: '杭州市', district: '西湖区', areaCode: '330106', postalCode: '310012',
} as const;

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * A unified social credit code with both of its check characters:
 * the 9-character organisation code ends in a GB 11714-1997 MOD 11 check,
 * and the whole code ends in a GB 32100-2015 MOD 31 check (weights 3^i mod 31).
 */
export function makeUscc(registration: string, areaCode: string, orgBody8: string): string {
  // GB 11714 values letters A=10 … Z=35 (unlike the USCC alphabet, which skips I O S V Z).
  const orgValue = (ch: string): number => (/\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55);
  let orgSum = 0;
  for (let i = 0; i < 8; i++) orgSum += orgValue(orgBody8[i] as string) * (ORG_CODE_WEIGHTS[i] as number);
  const orgCheck = 11 - (orgSum % 11);
  const orgCode = orgBody8 + (orgCheck === 10 ? 'X' : orgCheck === 11 ? '0' : String(orgCheck));
  const body = registration + areaCode + orgCode;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(body[i] as string) * (USCC_WEIGHTS[i] as number);
  return body + USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

export function buildHospital(): Resource & { id: string } {
  return {
    resourceType: 'Organization',
    id: HOSPITAL_ID,
    language: 'zh-CN',
    identifier: [
      {
        use: 'official',
        // The USCC is also the organisation's tax number since the 2015 "three certificates
        // in one" reform, hence v2-0203 TAX.
        type: concept(coding(SYSTEMS.v2IdentifierType, 'TAX', 'Tax ID number'), '统一社会信用代码'),
        system: USCC_SYSTEM,
        // "12" = registered by the public-institution authority, as a public institution (事业单位).
        // "MB" opens the organisation codes assigned since the 2015 reform.
        value: makeUscc('12', HOSPITAL_AREA.areaCode, 'MB000001'),
      },
    ],
    active: true,
    type: [
      concept(coding(SYSTEMS.organizationType, 'prov', 'Healthcare Provider')),
      concept(coding(HOSPITAL_GRADE_SYSTEM, '3A', '三级甲等'), '三级甲等综合医院 Grade III Class A general hospital'),
    ],
    name: HOSPITAL_NAME,
    _name: english(HOSPITAL_NAME_EN),
    alias: ['示范医院', HOSPITAL_NAME_EN],
    telecom: [
      { system: 'phone', value: '0571-00000000', use: 'work' },
      { system: 'url', value: 'https://open-his.example.org', use: 'work' },
      { system: 'email', value: 'info@open-his.example.org', use: 'work' },
    ],
    address: [
      {
        use: 'work',
        type: 'both',
        text: `${HOSPITAL_AREA.state}${HOSPITAL_AREA.city}${HOSPITAL_AREA.district}示范路1号`,
        line: ['示范路1号'],
        city: HOSPITAL_AREA.city,
        district: HOSPITAL_AREA.district,
        state: HOSPITAL_AREA.state,
        postalCode: HOSPITAL_AREA.postalCode,
        country: 'CN',
      },
    ],
  };
}
