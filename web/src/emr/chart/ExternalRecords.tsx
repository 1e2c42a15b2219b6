// Records from other hospitals: the patient's consents (recorded from the signed form, withdrawn
// when the patient asks), and fetching the record from a partner the patient consented to
// (Patient/$fetch-external). What came in is counted; copies edited here that the partner changed
// too (conflicts) and the partner's differing details of the patient (discrepancies) are shown for
// the doctor to check — the server changed neither.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { formatDate, formatDateTime } from './fhir.ts';
import {
  consentFor, consentInForce, consentNames, consents as loadConsents, fetchExternal, recordConsent, withdrawConsent,
  type Consent, type FetchResult, type Partner,
} from './exchange-api.ts';
import { PartnerSelect, useAction, useExchange } from './exchange-common.tsx';

export function ExternalRecords({ patientId, partners, canFetch, onImported }: {
  patientId: string; partners: readonly Partner[]; canFetch: boolean; onImported(): void;
}) {
  const { m, lang } = useExchange();
  const [consents, setConsents] = useState<Consent[] | null>(null);
  const { busy, error, setError, notice, setNotice, run } = useAction();
  const [partner, setPartner] = useState('');
  const [until, setUntil] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [fetched, setFetched] = useState<{ partner: Partner; result: FetchResult } | null>(null);

  const load = useCallback(() => loadConsents(patientId).then(setConsents, setError), [patientId]);
  useEffect(() => { void load(); }, [load]);

  const consentedTo = (p: Partner) => (consents ?? []).some((c) => consentInForce(c) && consentNames(c, p));
  const partnerOf = (c: Consent) => partners.find((p) => consentNames(c, p));

  const record = (event: FormEvent) => {
    event.preventDefault();
    const chosen = partners.find((p) => p.id === partner);
    if (!chosen || !confirmed) return;
    void run('consent', async () => {
      await recordConsent(consentFor(patientId, chosen, until || null));
      setNotice(m('consentRecorded', { partner: chosen.name }));
      setPartner('');
      setUntil('');
      setConfirmed(false);
      await load();
    });
  };

  const withdraw = (consent: Consent) => run(consent.id, async () => {
    await withdrawConsent(consent);
    setNotice(m('consentWithdrawn'));
    await load();
  });

  const fetchFrom = (p: Partner) => run(`fetch:${p.id}`, async () => {
    setFetched(null);
    const result = await fetchExternal(patientId, p.id);
    setFetched({ partner: p, result });
    setNotice(m('fetchDone', { partner: p.name, created: result.created.length, updated: result.updated.length, unchanged: result.unchanged }));
    if (result.created.length + result.updated.length > 0) onImported();
  });

  const consentState = (c: Consent) => (consentInForce(c) ? 'consentActive'
    : c.status === 'active' ? 'consentExpired' : c.status === 'inactive' ? 'consentInactive' : null);

  return (
    <section className="card" aria-labelledby="records-heading" data-testid="external-records">
      <h3 id="records-heading">{m('recordsHeading')}</h3>
      {canFetch && partners.length > 0 ? (
        <ul className="rows" data-testid="fetch-partners">
          {partners.map((p) => (
            <li key={p.id} data-partner={p.id}>
              <strong>{p.name}</strong>{' '}
              <button type="button" name="fetch" disabled={busy !== null || !consentedTo(p)} onClick={() => void fetchFrom(p)}>
                {busy === `fetch:${p.id}` ? m('fetching') : m('fetch')}
              </button>
              {consents && !consentedTo(p) ? <span className="muted"> {m('fetchNeedsConsent')}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <p role="status" className="note" data-testid="records-notice">{notice}</p>
      <ErrorNote error={error} />
      {fetched ? <FetchOutcome result={fetched.result} /> : null}

      <h4>{m('consentHeading')}</h4>
      <p className="note">{m('consentIntro')}</p>
      {canFetch && partners.length > 0 ? (
        <form name="consent" className="stack" onSubmit={record}>
          <PartnerSelect name="consent-partner" partners={partners} value={partner} onChange={setPartner} />
          <label className="field"><span>{m('consentUntil')}</span>
            <input type="date" name="until" value={until} onChange={(e) => setUntil(e.target.value)} />
          </label>
          <label className="check">
            <input type="checkbox" name="confirmed" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
            <span>{m('consentConfirm')}</span>
          </label>
          <button type="submit" disabled={busy !== null || !partner || !confirmed}>{m('consentRecord')}</button>
        </form>
      ) : null}
      <h4>{m('consents')}</h4>
      {consents?.length === 0 ? <p className="note">{m('noConsents')}</p> : null}
      {consents && consents.length > 0 ? (
        <table className="data">
          <tbody>
            {consents.map((c) => {
              const actor = c.provision?.actor?.[0]?.reference;
              const state = consentState(c);
              const period = c.provision?.period;
              return (
                <tr key={c.id} data-consent={c.id} data-status={c.status}>
                  <td>{partnerOf(c)?.name ?? actor?.display ?? actor?.identifier?.value ?? ''}</td>
                  <td>{formatDateTime(c.dateTime, lang)}</td>
                  <td className="muted">
                    {period?.start ? m('consentSince', { start: formatDate(period.start, lang) }) : ''}
                    {period?.end ? ` ${m('consentTo', { end: formatDate(period.end, lang) })}` : ''}
                  </td>
                  <td><span className={`badge consent-${state ?? 'other'}`}>{state ? m(state) : m('consentOther', { status: c.status })}</span></td>
                  <td>
                    {canFetch && c.status === 'active'
                      ? <button type="button" name="withdraw" disabled={busy !== null} onClick={() => void withdraw(c)}>{m('consentWithdraw')}</button>
                      : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function FetchOutcome({ result }: { result: FetchResult }) {
  const { m } = useExchange();
  const show = (json: string) => {
    try {
      const value = JSON.parse(json) as unknown;
      return typeof value === 'string' ? value : JSON.stringify(value);
    } catch {
      return json;
    }
  };
  return (
    <div className="fetch-outcome" data-testid="fetch-outcome">
      {result.conflicts.length > 0 ? (
        <div role="alert" data-testid="conflicts">
          <p>{m('conflicts')}</p>
          <ul>{result.conflicts.map((c) => <li key={c.local}><code>{c.local}</code> ← <code>{c.source}</code></li>)}</ul>
        </div>
      ) : null}
      {result.discrepancies.length > 0 ? (
        <div data-testid="discrepancies">
          <p>{m('discrepancies')}</p>
          <table className="data">
            <thead><tr><th>{m('element')}</th><th>{m('here')}</th><th>{m('there')}</th></tr></thead>
            <tbody>
              {result.discrepancies.map((d) => (
                <tr key={d.element} data-element={d.element}><td>{d.element}</td><td>{show(d.local)}</td><td>{show(d.remote)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
