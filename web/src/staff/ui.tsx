// Small form pieces of the staff pages: labelled inputs and selects, the department → doctor
// picker both pages use, and a status line.
import { useEffect, useId, useState, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { booking, type Department, type Doctor } from '../shared/booking.ts';
import { useI18n } from '../shared/i18n/index.tsx';
import { ErrorNote } from '../shared/errors.tsx';

export function Input({ label, ...input }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} />
    </div>
  );
}

export function Select({ label, children, ...select }: { label: string; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>{children}</select>
    </div>
  );
}

export function Status({ text }: { text: string }) {
  return <p className="note ok" role="status" aria-live="polite">{text}</p>;
}

export const departmentName = (department: Department, lang: string) => (lang === 'en' ? department.name.en : department.name.zh);

/** The departments (with bookable slots) and, once one is chosen, its doctors. */
export function useDirectory(service: string) {
  const [departments, setDepartments] = useState<Department[] | null>(null);
  const [doctors, setDoctors] = useState<Doctor[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    booking.departments().then(setDepartments, setError);
  }, []);
  useEffect(() => {
    setDoctors(null);
    if (!service) return;
    let live = true;
    booking.doctors(service).then((list) => { if (live) setDoctors(list); }, (err: unknown) => { if (live) setError(err); });
    return () => { live = false; };
  }, [service]);
  return { departments, doctors, error };
}

export function DepartmentSelect({ departments, value, onChange, label }: {
  departments: Department[] | null; value: string; onChange(id: string): void; label: string;
}) {
  const { lang, t } = useI18n();
  return (
    <Select label={label} name="department" value={value} onChange={(e) => onChange(e.target.value)} disabled={!departments}>
      <option value="">{t('admin.chooseDepartment')}</option>
      {(departments ?? []).map((d) => <option key={d.id} value={d.id}>{departmentName(d, lang)}</option>)}
    </Select>
  );
}

/** Department → doctor's schedule (a doctor may have more than one); gives the chosen one or null. */
export function SchedulePicker({ onChange }: { onChange(doctor: Doctor | null): void }) {
  const { lang, t } = useI18n();
  const [service, setService] = useState('');
  const [schedule, setSchedule] = useState('');
  const { departments, doctors, error } = useDirectory(service);
  useEffect(() => {
    onChange(doctors?.find((d) => d.schedule === schedule) ?? null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doctors, schedule]);
  const twice = new Set((doctors ?? []).filter((d, i, all) => all.findIndex((x) => x.role === d.role) !== i).map((d) => d.role));
  return (
    <div className="picker">
      <DepartmentSelect label={t('admin.department')} departments={departments} value={service} onChange={(id) => { setService(id); setSchedule(''); }} />
      <Select label={t('admin.doctor')} name="doctor" value={schedule} disabled={!doctors} onChange={(e) => setSchedule(e.target.value)}>
        <option value="">{t('admin.chooseDoctor')}</option>
        {(doctors ?? []).map((d) => (
          <option key={d.schedule} value={d.schedule} data-role={d.role}>
            {d.name}{d.title ? ` · ${lang === 'en' ? d.title.en : d.title.zh}` : ''}{twice.has(d.role) ? ` (${d.schedule})` : ''}
          </option>
        ))}
      </Select>
      {departments && departments.length === 0 ? <p>{t('admin.noSchedules')}</p> : null}
      <ErrorNote error={error} />
    </div>
  );
}
