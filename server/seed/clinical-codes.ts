// The clinical vocabulary of the demo records, kept in one place so it can be checked at a glance.
// Diagnoses: WHO ICD-10 (http://hl7.org/fhir/sid/icd-10), the classification Chinese hospitals
// report in (国家临床版 extends it with sub-codes; the WHO parent codes are used here).
// Laboratory tests: LOINC, choosing the molar/SI-unit codes that Chinese laboratories report
// in (e.g. glucose 14749-6 in mmol/L, not 2345-7 which is mass concentration in mg/dL), with
// adult reference intervals from WS/T 404 and WS/T 405 (national reference intervals).
// Drugs: WHO ATC (http://www.whocc.no/atc) plus the Chinese generic name as text.

export interface ConditionCode { icd10: string; zh: string; en: string }

export const CONDITIONS = {
  hypertension: { icd10: 'I10', zh: '原发性高血压', en: 'Essential (primary) hypertension' },
  diabetes2: { icd10: 'E11.9', zh: '2型糖尿病，不伴有并发症', en: 'Type 2 diabetes mellitus without complications' },
  hyperlipidaemia: { icd10: 'E78.5', zh: '高脂血症', en: 'Hyperlipidaemia, unspecified' },
  coronary: { icd10: 'I25.1', zh: '动脉粥样硬化性心脏病', en: 'Atherosclerotic heart disease' },
  pneumonia: { icd10: 'J18.9', zh: '肺炎', en: 'Pneumonia, unspecified' },
  copdExacerbation: { icd10: 'J44.1', zh: '慢性阻塞性肺病伴有急性加重', en: 'Chronic obstructive pulmonary disease with acute exacerbation, unspecified' },
  gastritis: { icd10: 'K29.7', zh: '胃炎', en: 'Gastritis, unspecified' },
  appendicitis: { icd10: 'K35.8', zh: '急性阑尾炎', en: 'Acute appendicitis, other and unspecified' },
  gallstones: { icd10: 'K80.2', zh: '胆囊结石不伴有胆囊炎', en: 'Calculus of gallbladder without cholecystitis' },
  inguinalHernia: { icd10: 'K40.9', zh: '腹股沟疝', en: 'Unilateral or unspecified inguinal hernia, without obstruction or gangrene' },
  uri: { icd10: 'J06.9', zh: '急性上呼吸道感染', en: 'Acute upper respiratory infection, unspecified' },
  bronchitis: { icd10: 'J20.9', zh: '急性支气管炎', en: 'Acute bronchitis, unspecified' },
  asthma: { icd10: 'J45.9', zh: '哮喘', en: 'Asthma, unspecified' },
  pregnancy: { icd10: 'Z34.9', zh: '正常妊娠监督', en: 'Supervision of normal pregnancy, unspecified' },
  ovarianCyst: { icd10: 'N83.2', zh: '卵巢囊肿', en: 'Other and unspecified ovarian cysts' },
  cataract: { icd10: 'H25.9', zh: '老年性白内障', en: 'Senile cataract, unspecified' },
  myopia: { icd10: 'H52.1', zh: '近视', en: 'Myopia' },
  caries: { icd10: 'K02.9', zh: '龋病', en: 'Dental caries, unspecified' },
  gingivitis: { icd10: 'K05.1', zh: '慢性龈炎', en: 'Chronic gingivitis' },
  eczema: { icd10: 'L20.9', zh: '特应性皮炎', en: 'Atopic dermatitis, unspecified' },
  acne: { icd10: 'L70.0', zh: '寻常痤疮', en: 'Acne vulgaris' },
  radiusFracture: { icd10: 'S52.5', zh: '桡骨下端骨折', en: 'Fracture of lower end of radius' },
  chestPain: { icd10: 'R07.4', zh: '胸痛', en: 'Chest pain, unspecified' },
  concussion: { icd10: 'S06.0', zh: '脑震荡', en: 'Concussion' },
} as const satisfies Record<string, ConditionCode>;
export type ConditionKey = keyof typeof CONDITIONS;

/** SNOMED CT route codes (R4 binding: route-codes, example). */
export const ROUTES = {
  oral: { code: '26643006', display: 'Oral route', zh: '口服' },
  iv: { code: '47625008', display: 'Intravenous route', zh: '静脉滴注' },
  inhaled: { code: '447694001', display: 'Respiratory tract route', zh: '吸入' },
  topical: { code: '6064005', display: 'Topical route', zh: '外用' },
  ophthalmic: { code: '54485002', display: 'Ophthalmic route', zh: '滴眼' },
} as const;
export type RouteKey = keyof typeof ROUTES;

/**
 * How often: the v3 GTS abbreviation (R4 Timing.code, preferred binding) and the equivalent
 * structured repeat; `when` uses event-timing codes (HS = before sleep).
 */
export const FREQUENCIES = {
  QD: { zh: '每日1次', repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
  BID: { zh: '每日2次', repeat: { frequency: 2, period: 1, periodUnit: 'd' } },
  TID: { zh: '每日3次', repeat: { frequency: 3, period: 1, periodUnit: 'd' } },
  QID: { zh: '每日4次', repeat: { frequency: 4, period: 1, periodUnit: 'd' } },
  Q8H: { zh: '每8小时1次', repeat: { frequency: 1, period: 8, periodUnit: 'h' } },
  HS: { zh: '每晚睡前1次', repeat: { frequency: 1, period: 1, periodUnit: 'd', when: ['HS'] } },
  PRN: { zh: '必要时', repeat: undefined },
} as const;
export type FrequencyKey = keyof typeof FREQUENCIES;

export interface Drug {
  zh: string; en: string; atc: string; strength: string;
  dose?: { value: number; code: string; unit: string };
  route: RouteKey; frequency: FrequencyKey; days: number;
}

export const DRUGS = {
  nifedipineCR: { zh: '硝苯地平控释片', en: 'Nifedipine', atc: 'C08CA05', strength: '30mg', dose: { value: 30, code: 'mg', unit: 'mg' }, route: 'oral', frequency: 'QD', days: 30 },
  amlodipine: { zh: '苯磺酸氨氯地平片', en: 'Amlodipine', atc: 'C08CA01', strength: '5mg', dose: { value: 5, code: 'mg', unit: 'mg' }, route: 'oral', frequency: 'QD', days: 30 },
  metformin: { zh: '盐酸二甲双胍片', en: 'Metformin', atc: 'A10BA02', strength: '0.5g', dose: { value: 0.5, code: 'g', unit: 'g' }, route: 'oral', frequency: 'TID', days: 30 },
  atorvastatin: { zh: '阿托伐他汀钙片', en: 'Atorvastatin', atc: 'C10AA05', strength: '20mg', dose: { value: 20, code: 'mg', unit: 'mg' }, route: 'oral', frequency: 'HS', days: 30 },
  aspirin: { zh: '阿司匹林肠溶片', en: 'Acetylsalicylic acid', atc: 'B01AC06', strength: '100mg', dose: { value: 100, code: 'mg', unit: 'mg' }, route: 'oral', frequency: 'QD', days: 30 },
  clopidogrel: { zh: '硫酸氢氯吡格雷片', en: 'Clopidogrel', atc: 'B01AC04', strength: '75mg', dose: { value: 75, code: 'mg', unit: 'mg' }, route: 'oral', frequency: 'QD', days: 30 },
  metoprolol: { zh: '酒石酸美托洛尔片', en: 'Metoprolol', atc: 'C07AB02', strength: '25mg', dose: { value: 25, code: 'mg', unit: 'mg' }, route: 'oral', frequency: 'BID', days: 30 },
  omeprazole: { zh: '奥美拉唑肠溶胶囊', en: 'Omeprazole', atc: 'A02BC01', strength: '20mg', dose: { value: 20, code: 'mg', unit: 'mg' }, route: 'oral', frequency: 'BID', days: 14 },
  cefuroximeIV: { zh: '注射用头孢呋辛钠', en: 'Cefuroxime', atc: 'J01DC02', strength: '1.5g', dose: { value: 1.5, code: 'g', unit: 'g' }, route: 'iv', frequency: 'Q8H', days: 7 },
  cefuroximeIVChild: { zh: '注射用头孢呋辛钠', en: 'Cefuroxime', atc: 'J01DC02', strength: '0.75g', dose: { value: 0.5, code: 'g', unit: 'g' }, route: 'iv', frequency: 'Q8H', days: 7 },
  levofloxacinIV: { zh: '左氧氟沙星氯化钠注射液', en: 'Levofloxacin', atc: 'J01MA12', strength: '0.5g:100ml', dose: { value: 0.5, code: 'g', unit: 'g' }, route: 'iv', frequency: 'QD', days: 7 },
  ambroxol: { zh: '盐酸氨溴索口服溶液', en: 'Ambroxol', atc: 'R05CB06', strength: '15mg:5ml', dose: { value: 15, code: 'mg', unit: 'mg' }, route: 'oral', frequency: 'BID', days: 5 },
  methylprednisoloneIV: { zh: '注射用甲泼尼龙琥珀酸钠', en: 'Methylprednisolone', atc: 'H02AB04', strength: '40mg', dose: { value: 40, code: 'mg', unit: 'mg' }, route: 'iv', frequency: 'QD', days: 5 },
  tiotropium: { zh: '噻托溴铵吸入粉雾剂', en: 'Tiotropium bromide', atc: 'R03BB04', strength: '18μg', dose: { value: 18, code: 'ug', unit: 'μg' }, route: 'inhaled', frequency: 'QD', days: 30 },
  salbutamol: { zh: '硫酸沙丁胺醇吸入气雾剂', en: 'Salbutamol', atc: 'R03AC02', strength: '100μg/揿', dose: { value: 2, code: '{puff}', unit: '揿' }, route: 'inhaled', frequency: 'PRN', days: 30 },
  budesonide: { zh: '布地奈德吸入气雾剂', en: 'Budesonide', atc: 'R03BA02', strength: '200μg/揿', dose: { value: 1, code: '{puff}', unit: '揿' }, route: 'inhaled', frequency: 'BID', days: 30 },
  ibuprofenSuspension: { zh: '布洛芬混悬液', en: 'Ibuprofen', atc: 'M01AE01', strength: '100ml:2g', dose: { value: 5, code: 'mL', unit: 'ml' }, route: 'oral', frequency: 'PRN', days: 3 },
  ibuprofenSR: { zh: '布洛芬缓释胶囊', en: 'Ibuprofen', atc: 'M01AE01', strength: '0.3g', dose: { value: 0.3, code: 'g', unit: 'g' }, route: 'oral', frequency: 'BID', days: 5 },
  paracetamol: { zh: '对乙酰氨基酚片', en: 'Paracetamol', atc: 'N02BE01', strength: '0.5g', dose: { value: 0.5, code: 'g', unit: 'g' }, route: 'oral', frequency: 'PRN', days: 3 },
  folicAcid: { zh: '叶酸片', en: 'Folic acid', atc: 'B03BB01', strength: '0.4mg', dose: { value: 0.4, code: 'mg', unit: 'mg' }, route: 'oral', frequency: 'QD', days: 30 },
  levofloxacinEyeDrops: { zh: '左氧氟沙星滴眼液', en: 'Levofloxacin (ophthalmic)', atc: 'S01AE05', strength: '5ml:24.4mg', dose: { value: 1, code: '[drp]', unit: '滴' }, route: 'ophthalmic', frequency: 'QID', days: 7 },
  tacrolimusOintment: { zh: '他克莫司软膏', en: 'Tacrolimus (topical)', atc: 'D11AH01', strength: '0.1%', route: 'topical', frequency: 'BID', days: 14 },
  loratadine: { zh: '氯雷他定片', en: 'Loratadine', atc: 'R06AX13', strength: '10mg', dose: { value: 10, code: 'mg', unit: 'mg' }, route: 'oral', frequency: 'QD', days: 14 },
  adapaleneGel: { zh: '阿达帕林凝胶', en: 'Adapalene', atc: 'D10AD03', strength: '0.1%', route: 'topical', frequency: 'HS', days: 30 },
  amoxicillin: { zh: '阿莫西林胶囊', en: 'Amoxicillin', atc: 'J01CA04', strength: '0.5g', dose: { value: 0.5, code: 'g', unit: 'g' }, route: 'oral', frequency: 'TID', days: 5 },
} as const satisfies Record<string, Drug>;
export type DrugKey = keyof typeof DRUGS;

export interface LabTest {
  loinc: string; display: string; zh: string; unit: string; ucum: string; decimals: number;
  /** Reference interval; sex-specific where the national standard splits it. */
  range: { low?: number; high?: number } | { male: { low: number; high: number }; female: { low: number; high: number } };
}

export const LAB_TESTS = {
  wbc: { loinc: '6690-2', display: 'Leukocytes [#/volume] in Blood by Automated count', zh: '白细胞计数', unit: '10^9/L', ucum: '10*9/L', decimals: 2, range: { low: 3.5, high: 9.5 } },
  hgb: { loinc: '718-7', display: 'Hemoglobin [Mass/volume] in Blood', zh: '血红蛋白', unit: 'g/L', ucum: 'g/L', decimals: 0, range: { male: { low: 130, high: 175 }, female: { low: 115, high: 150 } } },
  plt: { loinc: '777-3', display: 'Platelets [#/volume] in Blood by Automated count', zh: '血小板计数', unit: '10^9/L', ucum: '10*9/L', decimals: 0, range: { low: 125, high: 350 } },
  crp: { loinc: '1988-5', display: 'C reactive protein [Mass/volume] in Serum or Plasma', zh: 'C反应蛋白', unit: 'mg/L', ucum: 'mg/L', decimals: 1, range: { high: 10 } },
  glucose: { loinc: '14749-6', display: 'Glucose [Moles/volume] in Serum or Plasma', zh: '葡萄糖', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, range: { low: 3.9, high: 6.1 } },
  creatinine: { loinc: '14682-9', display: 'Creatinine [Moles/volume] in Serum or Plasma', zh: '肌酐', unit: 'μmol/L', ucum: 'umol/L', decimals: 0, range: { male: { low: 57, high: 97 }, female: { low: 41, high: 73 } } },
  alt: { loinc: '1742-6', display: 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma', zh: '丙氨酸氨基转移酶', unit: 'U/L', ucum: 'U/L', decimals: 0, range: { male: { low: 9, high: 50 }, female: { low: 7, high: 40 } } },
  potassium: { loinc: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma', zh: '钾', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, range: { low: 3.5, high: 5.3 } },
  sodium: { loinc: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma', zh: '钠', unit: 'mmol/L', ucum: 'mmol/L', decimals: 0, range: { low: 137, high: 147 } },
  hba1c: { loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', zh: '糖化血红蛋白', unit: '%', ucum: '%', decimals: 1, range: { low: 4.0, high: 6.0 } },
  cholesterol: { loinc: '14647-2', display: 'Cholesterol [Moles/volume] in Serum or Plasma', zh: '总胆固醇', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, range: { high: 5.2 } },
  triglyceride: { loinc: '14927-8', display: 'Triglyceride [Moles/volume] in Serum or Plasma', zh: '甘油三酯', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, range: { high: 1.7 } },
  hdl: { loinc: '14646-4', display: 'Cholesterol in HDL [Moles/volume] in Serum or Plasma', zh: '高密度脂蛋白胆固醇', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, range: { low: 1.0 } },
  ldl: { loinc: '22748-8', display: 'Cholesterol in LDL [Moles/volume] in Serum or Plasma', zh: '低密度脂蛋白胆固醇', unit: 'mmol/L', ucum: 'mmol/L', decimals: 2, range: { high: 3.4 } },
  troponinI: { loinc: '10839-9', display: 'Troponin I.cardiac [Mass/volume] in Serum or Plasma', zh: '肌钙蛋白I', unit: 'ng/mL', ucum: 'ng/mL', decimals: 3, range: { high: 0.04 } },
} as const satisfies Record<string, LabTest>;
export type LabKey = keyof typeof LAB_TESTS;

/** Panels reported as one DiagnosticReport; the category is the v2-0074 diagnostic section. */
export const PANELS = {
  cbc: { loinc: '58410-2', display: 'CBC panel - Blood by Automated count', zh: '血常规', section: 'HM', tests: ['wbc', 'hgb', 'plt'] },
  crp: { loinc: '1988-5', display: 'C reactive protein [Mass/volume] in Serum or Plasma', zh: 'C反应蛋白', section: 'CH', tests: ['crp'] },
  chemistry: { loinc: '24323-8', display: 'Comprehensive metabolic 2000 panel - Serum or Plasma', zh: '生化全项', section: 'CH', tests: ['glucose', 'creatinine', 'alt', 'potassium', 'sodium'] },
  hba1c: { loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', zh: '糖化血红蛋白', section: 'CH', tests: ['hba1c'] },
  lipids: { loinc: '24331-1', display: 'Lipid 1996 panel - Serum or Plasma', zh: '血脂四项', section: 'CH', tests: ['cholesterol', 'triglyceride', 'hdl', 'ldl'] },
  troponin: { loinc: '10839-9', display: 'Troponin I.cardiac [Mass/volume] in Serum or Plasma', zh: '心肌肌钙蛋白I', section: 'CH', tests: ['troponinI'] },
} as const satisfies Record<string, { loinc: string; display: string; zh: string; section: string; tests: readonly LabKey[] }>;
export type PanelKey = keyof typeof PANELS;

/** Allergy substances, SNOMED CT (R4 AllergyIntolerance.code, example binding). */
export const ALLERGENS = {
  penicillin: { code: '373270004', display: 'Penicillin -class of antibiotic- (substance)', zh: '青霉素类', category: 'medication', reaction: 'urticaria', criticality: 'high' },
  aspirin: { code: '387458008', display: 'Aspirin (substance)', zh: '阿司匹林', category: 'medication', reaction: 'rash', criticality: 'low' },
  seafood: { code: '44027008', display: 'Seafood (substance)', zh: '海鲜', category: 'food', reaction: 'urticaria', criticality: 'low' },
  peanut: { code: '256349002', display: 'Peanut - dietary (substance)', zh: '花生', category: 'food', reaction: 'anaphylaxis', criticality: 'high' },
  egg: { code: '102263004', display: 'Eggs (edible) (substance)', zh: '鸡蛋', category: 'food', reaction: 'rash', criticality: 'low' },
} as const;

export const REACTIONS = {
  urticaria: { code: '126485001', display: 'Urticaria', zh: '荨麻疹', severity: 'moderate' },
  rash: { code: '271807003', display: 'Eruption of skin', zh: '皮疹', severity: 'mild' },
  anaphylaxis: { code: '39579001', display: 'Anaphylaxis', zh: '过敏性休克', severity: 'severe' },
} as const;
