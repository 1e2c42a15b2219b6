// The health summary page's strings (zh-CN, English), with the page's own chunk rather than in the
// booking page's catalogue.
import type { Catalogue } from '../shared/i18n/catalogue.ts';

const zh = {
  heading: '我的健康摘要',
  intro: '这是本院为您整理的健康摘要（国际患者摘要 IPS 格式），可下载后交给其他医院，或打印随身携带。',
  whose: '查看谁的摘要',
  download: '下载（FHIR JSON）',
  print: '打印',
  generated: '生成时间：{when}',
  issuer: '出具机构：{name}',
  patient: '患者：{name}',
  birthDate: '出生日期：{date}',
  noPatient: '此账户未关联患者档案，无法生成健康摘要。',
  sections: '摘要内容',
};

export type SummaryKey = keyof typeof zh;

const en: Record<SummaryKey, string> = {
  heading: 'My health summary',
  intro: 'Your health summary from this hospital (International Patient Summary): download it to give to another hospital, or print it to carry with you.',
  whose: 'Whose summary',
  download: 'Download (FHIR JSON)',
  print: 'Print',
  generated: 'Generated {when}',
  issuer: 'Issued by {name}',
  patient: 'Patient: {name}',
  birthDate: 'Born {date}',
  noPatient: 'This account has no patient record, so there is no summary.',
  sections: 'Contents',
};

export const summaryMessages: Catalogue<SummaryKey> = { 'zh-CN': zh, en };
