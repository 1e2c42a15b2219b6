// The registration slip (挂号单) the desk prints for a booked or walk-in appointment: hospital,
// department, doctor, time, queue number and fee, on one small page (print CSS, 80 mm receipt or A6).
import { createHash } from 'node:crypto';
import type { Resource } from '../../fhir/index.ts';
import type { Calendar } from './calendar.ts';
import { queueNumberOf } from './appointment.ts';

/**
 * The slip's print styles, fixed text: the desk page shows the slip in a frame from a blob: URL, a
 * document that inherits the page's CSP, which allows this one stylesheet by its hash (security-headers.ts).
 */
export const slipStyle = `
  body { font: 14px/1.4 system-ui, "Noto Sans CJK SC", sans-serif; margin: 0 auto; max-width: 80mm; padding: 4mm; color: #000; }
  h1 { font-size: 16px; text-align: center; margin: 0 0 2mm; }
  .number { font-size: 40px; font-weight: 700; text-align: center; margin: 2mm 0; }
  table { width: 100%; border-collapse: collapse; }
  th { text-align: left; font-weight: 400; color: #333; padding-right: 2mm; white-space: nowrap; }
  td { font-weight: 600; }
  footer { margin-top: 3mm; font-size: 11px; color: #333; text-align: center; }
  @page { size: 80mm auto; margin: 0; }
  @media print { button { display: none; } }
`;

/** CSP source of the slip's <style> element: 'sha256-…' of its exact text. */
export const slipStyleSource = `'sha256-${createHash('sha256').update(slipStyle, 'utf8').digest('base64')}'`;

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** 张三 → 张*; 欧阳娜娜 → 欧阳** : a slip left on a counter must not give away the whole name. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (/^[\p{Script=Han}]+$/u.test(name)) {
    const keep = chars.length >= 4 ? 2 : 1;
    return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep);
  }
  return name.split(/\s+/).map((part) => (part ? part[0] + '*'.repeat(Math.max(0, [...part].length - 1)) : part)).join(' ');
}

export interface SlipInput {
  appointment: Resource;
  hospital: string;
  fee?: { value: number; currency: string };
  calendar: Calendar;
  printedAt?: Date;
}

export function slipHtml(input: SlipInput): string {
  const a = input.appointment as Resource & {
    status: string; start?: string; end?: string;
    participant?: { actor?: { reference?: string; display?: string } }[];
  };
  const actor = (type: string) => a.participant?.find((p) => p.actor?.reference?.startsWith(`${type}/`))?.actor;
  const patient = actor('Patient');
  const doctor = actor('PractitionerRole');
  const department = actor('HealthcareService');
  const start = a.start ? new Date(a.start) : undefined;
  const when = start ? `${input.calendar.dateOf(start)} ${input.calendar.timeOf(start)}${a.end ? `–${input.calendar.timeOf(new Date(a.end))}` : ''}` : '';
  const number = queueNumberOf(a);
  const rows: [string, string][] = [
    ['就诊人 Patient', maskName(patient?.display ?? '')],
    ['科室 Department', department?.display ?? ''],
    ['医生 Doctor', doctor?.display ?? ''],
    ['时间 Time', when],
    ['状态 Status', a.status],
  ];
  if (input.fee) rows.push(['挂号费 Fee', `${input.fee.value.toFixed(2)} ${input.fee.currency}`]);
  const printed = input.calendar.format(input.printedAt ?? new Date()).slice(0, 16).replace('T', ' ');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>挂号单 Registration slip</title>
<style>${slipStyle}</style></head>
<body>
<h1>${escape(input.hospital)}<br>挂号单 Registration slip</h1>
<p class="number" aria-label="Queue number">${number !== undefined ? `${number} 号` : ''}</p>
<table>${rows.map(([k, v]) => `<tr><th scope="row">${escape(k)}</th><td>${escape(v)}</td></tr>`).join('')}</table>
<footer>预约号 Appointment ${escape(a.id ?? '')}<br>打印时间 Printed ${escape(printed)}</footer>
</body></html>`;
}
