// Lab and imaging orders of an encounter: ServiceRequest with category Laboratory procedure
// (SNOMED 108252007) or Imaging (363679005) and a LOINC code from the catalogue. An imaging order gets
// its accession number from the server when created; the page reads the order back to show it.
import { useId, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { emr, fhir, type Encounter, type Resource } from './api.ts';
import { contextOf, useLoad, useM } from './common.tsx';
import { accessionOf, ORDER_CATEGORIES, serviceRequest } from './resources.ts';

type ServiceRequest = Resource & { id: string; status: string; code?: { text?: string }; category?: { coding?: { code?: string }[] }[] };

export function Orders({ encounter, practitioner }: { encounter: Encounter; practitioner?: string }) {
  const { m, lang } = useM();
  const base = useId();
  const catalogue = useLoad(() => emr.catalogue(), []);
  const list = useLoad(() => fhir.search<ServiceRequest>('ServiceRequest', `encounter=${encodeURIComponent(`Encounter/${encounter.id}`)}&_count=50`), [encounter.id]);
  const [kind, setKind] = useState<'lab' | 'imaging'>('lab');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [last, setLast] = useState<ServiceRequest | null>(null);

  const items = kind === 'lab' ? catalogue.data?.labPanels ?? [] : catalogue.data?.imaging ?? [];
  async function order() {
    const item = items.find((x) => x.code === code);
    if (!item) return;
    setBusy(true);
    setError(null);
    try {
      const created = await fhir.create(serviceRequest(kind, item, contextOf(encounter, practitioner))) as ServiceRequest;
      // The accession number is the server's (assigned on create): read what was stored.
      setLast(await fhir.read<ServiceRequest>('ServiceRequest', created.id));
      setCode('');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const kindOf = (r: ServiceRequest) => (r.category?.some((c) => c.coding?.some((x) => x.code === ORDER_CATEGORIES.imaging.code)) ? m('imaging') : m('lab'));
  return (
    <section className="panel" aria-labelledby={`${base}-h`}>
      <h2 id={`${base}-h`}>{m('orders')}</h2>
      {list.data && list.data.length > 0 ? (
        <ul className="wf-list" data-testid="orders">
          {list.data.map((r) => (
            <li key={r.id} data-order={r.id} data-accession={accessionOf(r) ?? ''}>
              {kindOf(r)} · <b>{r.code?.text}</b>{accessionOf(r) ? ` · ${m('accession')} ${accessionOf(r)}` : ''}
            </li>
          ))}
        </ul>
      ) : <p className="note">{m('noOrders')}</p>}
      <div className="wf-grid">
        <div className="field">
          <label htmlFor={`${base}-kind`}>{m('orderKind')}</label>
          <select id={`${base}-kind`} name="order-kind" value={kind} onChange={(e) => { setKind(e.target.value as 'lab' | 'imaging'); setCode(''); }}>
            <option value="lab">{m('lab')}</option>
            <option value="imaging">{m('imaging')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${base}-code`}>{m('orderItem')}</label>
          <select id={`${base}-code`} name="order-code" value={code} onChange={(e) => setCode(e.target.value)} disabled={!catalogue.data}>
            <option value="">{m('chooseItem')}</option>
            {items.map((x) => <option key={x.code} value={x.code}>{lang === 'en' ? x.en : x.zh}{'modality' in x ? ` (${x.modality})` : ''}</option>)}
          </select>
        </div>
      </div>
      <div className="actions">
        <button type="button" className="primary" disabled={!code || busy} onClick={() => void order()}>{m('placeOrder')}</button>
      </div>
      {last ? (
        <p className="note ok" role="status" data-testid="order-placed" data-accession={accessionOf(last) ?? ''}>
          {m('orderPlaced', { item: last.code?.text ?? '' })}{accessionOf(last) ? ` ${m('accession')} ${accessionOf(last)}` : ''}
        </p>
      ) : null}
      <ErrorNote error={error ?? catalogue.error ?? list.error} />
    </section>
  );
}
