// What a doctor picks from when charting: diagnoses (ICD-10, 中文 and English), drugs of the
// formulary (WHO ATC), frequencies (v3 GTS abbreviations with their Timing.repeat), routes
// (SNOMED CT), laboratory panels and imaging procedures (LOINC, with the DICOM modality). One
// vocabulary with the demo records (server/seed/clinical-codes.ts), so orders and seed data agree.
import { CONDITIONS, DRUGS, FREQUENCIES, PANELS, ROUTES, type FrequencyKey, type RouteKey } from '../seed/clinical-codes.ts';

/** English names of the frequencies (the seed keeps the Chinese ones). */
const FREQUENCY_EN: Record<FrequencyKey, string> = {
  QD: 'Once a day', BID: 'Twice a day', TID: 'Three times a day', QID: 'Four times a day',
  Q8H: 'Every 8 hours', HS: 'At bedtime', PRN: 'As needed',
};

/**
 * Imaging procedures ordered from the chart (LOINC radiology codes, LOINC/RSNA Radiology Playbook),
 * with the DICOM modality (PS3.16 CID 29) the worklist files them under.
 */
export const IMAGING = [
  { code: '24725-4', modality: 'CT', zh: '头颅CT平扫', en: 'CT Head' },
  { code: '24627-2', modality: 'CT', zh: '胸部CT', en: 'CT Chest' },
  { code: '36643-5', modality: 'DX', zh: '胸部X线正侧位片', en: 'XR Chest 2 Views' },
  { code: '24590-2', modality: 'MR', zh: '头颅MRI', en: 'MR Brain' },
  { code: '24558-9', modality: 'US', zh: '腹部超声', en: 'US Abdomen' },
] as const;

const route = (key: RouteKey) => ({ key, code: ROUTES[key].code, zh: ROUTES[key].zh, en: ROUTES[key].display });

/** The catalogue as GET /emr/catalogue answers it (built once: it is constant). */
export const catalogue = Object.freeze({
  diagnoses: Object.values(CONDITIONS).map((c) => ({ code: c.icd10, zh: c.zh, en: c.en })),
  drugs: Object.entries(DRUGS).map(([key, d]) => ({
    key, atc: d.atc, zh: d.zh, en: d.en, strength: d.strength, route: route(d.route),
    ...('dose' in d ? { dose: { ...d.dose } } : {}), frequency: d.frequency, days: d.days,
  })),
  frequencies: (Object.keys(FREQUENCIES) as FrequencyKey[]).map((code) => {
    const repeat = FREQUENCIES[code].repeat;
    return { code, zh: FREQUENCIES[code].zh, en: FREQUENCY_EN[code], ...(repeat ? { repeat: { ...repeat } } : {}) };
  }),
  routes: (Object.keys(ROUTES) as RouteKey[]).map(route),
  labPanels: Object.values(PANELS).map((p) => ({ code: p.loinc, zh: p.zh, en: p.display })),
  imaging: IMAGING.map((i) => ({ ...i })),
});
