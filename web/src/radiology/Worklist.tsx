// The radiologists' worklist: studies by date (today or a range), modality, reading status, patient
// (name or ID) and accession number, newest first; a row opens the study in the viewer.
import { useEffect, useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../shared/i18n/index.tsx';
import { ErrorNote } from '../shared/errors.tsx';
import { Input, Select } from '../staff/ui.tsx';
import { newestFirst, radiology, type OrderedItem, type Worklist as WorklistAnswer, type WorklistItem, type WorklistQuery } from './api.ts';

export const statusKey: Record<WorklistItem['status'], MessageKey> = {
  unread: 'radiology.status.unread', preliminary: 'radiology.status.preliminary', final: 'radiology.status.final', amended: 'radiology.status.amended',
};
const modalities = ['CT', 'MR', 'CR', 'DX', 'US', 'XA', 'MG', 'NM', 'PT', 'OT'];
const pageSize = 50;

/** Today in the browser's calendar, YYYY-MM-DD. */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}


export function Worklist({ navigate }: { navigate(path: string): void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<WorklistQuery>({ from: '', to: '', modality: '', status: '', q: '', accession: '' });
  const [query, setQuery] = useState<WorklistQuery>(form);
  const [offset, setOffset] = useState(0);
  const [answer, setAnswer] = useState<WorklistAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const abort = new AbortController();
    setError(null);
    radiology.worklist({ ...query, offset, limit: pageSize }, abort.signal).then(setAnswer, (err: unknown) => {
      if ((err as Error).name !== 'AbortError') setError(err);
    });
    return () => abort.abort();
  }, [query, offset]);

  function submit(event: FormEvent) {
    event.preventDefault();
    setOffset(0);
    setQuery({ ...form, q: form.q?.trim(), accession: form.accession?.trim() });
  }
  function showToday() {
    const day = today();
    const next = { ...form, from: day, to: day };
    setForm(next);
    setOffset(0);
    setQuery(next);
  }
  const set = (key: keyof WorklistQuery) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const items = answer ? [...answer.items].sort(newestFirst) : [];
  const open = (item: WorklistItem) => navigate(`/radiology/studies/${encodeURIComponent(item.studyInstanceUid)}`);

  return (
    <section className="worklist" aria-labelledby="worklist-heading">
      <h2 id="worklist-heading">{t('radiology.worklist')}</h2>
      <form className="filters" name="worklist-filters" onSubmit={submit} role="search">
        <Input label={t('radiology.from')} name="from" type="date" value={form.from} onChange={set('from')} />
        <Input label={t('radiology.to')} name="to" type="date" value={form.to} onChange={set('to')} />
        <Select label={t('radiology.modality')} name="modality" value={form.modality} onChange={set('modality')}>
          <option value="">{t('radiology.any')}</option>
          {modalities.map((m) => <option key={m} value={m}>{m}</option>)}
        </Select>
        <Select label={t('radiology.statusFilter')} name="status" value={form.status} onChange={set('status')}>
          <option value="">{t('radiology.any')}</option>
          <option value="ordered">{t('radiology.ordered')}</option>
          {(['unread', 'preliminary', 'final'] as const).map((s) => <option key={s} value={s}>{t(statusKey[s])}</option>)}
        </Select>
        <Input label={t('radiology.patient')} name="q" type="search" value={form.q} onChange={set('q')} />
        <Input label={t('radiology.accession')} name="accession" type="search" value={form.accession} onChange={set('accession')} />
        <div className="actions">
          <button type="submit" className="primary">{t('radiology.search')}</button>
          <button type="button" name="today" onClick={showToday}>{t('radiology.today')}</button>
        </div>
      </form>
      <ErrorNote error={error} />
      {answer ? (
        <>
          <p className="note" role="status" data-testid="worklist-total">{t('radiology.total', { total: answer.total })}</p>
          <table className="worklist-table" data-testid="worklist">
            <thead>
              <tr>
                <th scope="col">{t('radiology.started')}</th>
                <th scope="col">{t('radiology.patient')}</th>
                <th scope="col">{t('radiology.patientId')}</th>
                <th scope="col">{t('radiology.modality')}</th>
                <th scope="col">{t('radiology.description')}</th>
                <th scope="col">{t('radiology.accession')}</th>
                <th scope="col">{t('radiology.images')}</th>
                <th scope="col">{t('radiology.statusFilter')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.studyInstanceUid} data-study={item.studyInstanceUid} data-status={item.status} tabIndex={0} className="clickable"
                  onClick={() => open(item)} onKeyDown={(e) => { if (e.key === 'Enter') open(item); }}>
                  <td>{item.started ? new Date(item.started).toLocaleString() : '—'}</td>
                  <td>{item.patient.name ?? '—'}</td>
                  <td>{item.patient.identifier ?? ''}</td>
                  <td>{item.modalities.join(', ')}</td>
                  <td>{item.description ?? ''}</td>
                  <td>{item.accessionNumber ?? ''}</td>
                  <td>{item.numberOfSeries} / {item.numberOfInstances}</td>
                  <td><span className={`badge status-${item.status}`}>{t(statusKey[item.status])}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
          {items.length === 0 && !answer.ordered?.length ? <p>{t('radiology.noStudies')}</p> : null}
          {answer.ordered?.length ? <OrderedTable orders={answer.ordered} /> : null}
          <div className="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))}>{t('radiology.previous')}</button>
            <button type="button" disabled={offset + pageSize >= answer.total} onClick={() => setOffset(offset + pageSize)}>{t('radiology.next')}</button>
          </div>
        </>
      ) : null}
    </section>
  );
}

/** Orders placed in the EMR whose images have not arrived: the accession number the modality will carry. */
function OrderedTable({ orders }: { orders: OrderedItem[] }) {
  const { t } = useI18n();
  return (
    <>
      <h3 className="note">{t('radiology.orderedCount', { count: orders.length })}</h3>
      <table className="worklist-table" data-testid="ordered">
        <thead>
          <tr>
            <th scope="col">{t('radiology.authored')}</th>
            <th scope="col">{t('radiology.patient')}</th>
            <th scope="col">{t('radiology.modality')}</th>
            <th scope="col">{t('radiology.description')}</th>
            <th scope="col">{t('radiology.accession')}</th>
            <th scope="col">{t('radiology.requester')}</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => (
            <tr key={o.orderId} data-order={o.orderId} data-status="ordered">
              <td>{o.authored ? new Date(o.authored).toLocaleString() : '—'}</td>
              <td>{o.patient.name ?? '—'}</td>
              <td>{o.modality ?? ''}</td>
              <td>{o.description ?? ''}</td>
              <td>{o.accessionNumber}</td>
              <td>{o.requester ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
