// /admin/exchange: the administrators' page for exchange partners — the other hospitals' FHIR
// servers that doctors refer patients to and fetch records from (issue: "configured by an admin"):
// base URL, organisation identifier, and client credentials or SMART Backend Services (our key
// pair; the page shows the public JWKS to hand to the partner). Enable, disable, edit, remove.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../shared/i18n/index.tsx';
import { ErrorNote } from '../shared/errors.tsx';
import { StaffGate } from '../staff/StaffGate.tsx';
import { Input, Select, Status } from '../staff/ui.tsx';
import { useMessages } from '../emr/i18n.ts';
import { AdminNav } from './AdminNav.tsx';
import { emptyForm, exchangeAdmin, formOf, inputOf, type Partner, type PartnerForm } from './exchange-api.ts';
import { exchangeAdminMessages } from './exchange-messages.ts';

const useAdminExchange = () => useMessages(exchangeAdminMessages);

export default function AdminExchangePage() {
  const { m } = useAdminExchange();
  return (
    <StaffGate role="admin" heading={m('heading')}>
      <AdminNav />
      <Partners />
    </StaffGate>
  );
}

function Partners() {
  const { m } = useAdminExchange();
  const [list, setList] = useState<Partner[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<{ form: PartnerForm; existing: Partner | null } | null>(null);
  const [shown, setShown] = useState<Partner | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [status, setStatus] = useState('');

  const load = useCallback(() => exchangeAdmin.list().then(setList, setError), []);
  useEffect(() => { void load(); }, [load]);

  async function act(action: () => Promise<void>) {
    setError(null);
    setStatus('');
    try {
      await action();
    } catch (err) {
      setError(err);
    }
  }

  const toggle = (partner: Partner) => act(async () => {
    const saved = await exchangeAdmin.update(partner.id, inputOf({ ...formOf(partner), enabled: !partner.enabled }));
    setStatus(m('saved', { name: saved.name }));
    await load();
  });
  const remove = (partner: Partner) => act(async () => {
    await exchangeAdmin.remove(partner.id);
    setConfirming(null);
    if (shown?.id === partner.id) setShown(null);
    setStatus(m('removed', { name: partner.name }));
    await load();
  });
  const edit = (partner: Partner) => act(async () => {
    const full = await exchangeAdmin.get(partner.id);
    setEditing({ form: formOf(full), existing: full });
  });

  return (
    <>
      <p className="note">{m('intro')}</p>
      <Status text={status} />
      <ErrorNote error={error} />
      {editing ? (
        <PartnerEditor {...editing} onDone={(saved) => {
          setEditing(null);
          if (saved) {
            setStatus(m('saved', { name: saved.name }));
            setShown(saved.jwks ? saved : null);
            void load();
          }
        }} />
      ) : (
        <button type="button" className="primary" name="add-partner" onClick={() => setEditing({ form: emptyForm(), existing: null })}>{m('add')}</button>
      )}
      {shown?.jwks ? <Jwks partner={shown} /> : null}
      <section className="panel" aria-labelledby="partners-heading">
        <h2 id="partners-heading">{m('partners')}</h2>
        {list?.length === 0 ? <p>{m('none')}</p> : null}
        <ul className="rows partner-list">
          {list?.map((p) => (
            <li key={p.id} data-partner={p.id} data-enabled={p.enabled}>
              <p><strong>{p.name}</strong> <span className={`badge ${p.enabled ? 'on' : 'off'}`}>{p.enabled ? m('statusEnabled') : m('statusDisabled')}</span></p>
              <p className="note"><code>{p.baseUrl}</code> · {m('auth')}: {p.auth.kind === 'smart-backend' ? m('smartBackend') : m('clientCredentials')} · {p.auth.clientId}
                {p.organization ? <> · {p.organization.value}</> : null}</p>
              {confirming === p.id ? (
                <div className="actions">
                  <p>{m('removeConfirm', { name: p.name })}</p>
                  <button type="button" className="danger" name="remove-confirm" onClick={() => void remove(p)}>{m('remove')}</button>
                  <button type="button" onClick={() => setConfirming(null)}>{m('cancel')}</button>
                </div>
              ) : (
                <div className="actions">
                  <button type="button" name="edit" onClick={() => void edit(p)}>{m('edit')}</button>
                  <button type="button" name="toggle" onClick={() => void toggle(p)}>{p.enabled ? m('disable') : m('enable')}</button>
                  <button type="button" name="remove" onClick={() => setConfirming(p.id)}>{m('remove')}</button>
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function PartnerEditor({ form: initial, existing, onDone }: { form: PartnerForm; existing: Partner | null; onDone(saved: Partner | null): void }) {
  const { m } = useAdminExchange();
  const { t } = useI18n();
  const [form, setForm] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = <K extends keyof PartnerForm>(key: K, value: PartnerForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const input = inputOf(form);
      onDone(existing ? await exchangeAdmin.update(existing.id, input) : await exchangeAdmin.create(input));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form name="partner" className="panel stack" onSubmit={(e) => void save(e)} aria-label={existing ? m('edit') : m('add')}>
      {existing ? null : <Input label={m('id')} name="id" value={form.id} pattern="[A-Za-z0-9\-.]{1,64}" onChange={(e) => set('id', e.target.value)} />}
      <Input label={m('name')} name="name" value={form.name} required maxLength={200} onChange={(e) => set('name', e.target.value)} />
      <Input label={m('baseUrl')} name="baseUrl" type="url" value={form.baseUrl} required onChange={(e) => set('baseUrl', e.target.value)} />
      <Input label={m('orgSystem')} name="orgSystem" value={form.orgSystem} onChange={(e) => set('orgSystem', e.target.value)} />
      <Input label={m('orgValue')} name="orgValue" value={form.orgValue} onChange={(e) => set('orgValue', e.target.value)} />
      <Select label={m('authKind')} name="kind" value={form.kind} onChange={(e) => set('kind', e.target.value as PartnerForm['kind'])}>
        <option value="client-credentials">{m('clientCredentials')}</option>
        <option value="smart-backend">{m('smartBackend')}</option>
      </Select>
      <Input label={m('clientId')} name="clientId" value={form.clientId} required onChange={(e) => set('clientId', e.target.value)} />
      <Input label={m('tokenUrl')} name="tokenUrl" type="url" value={form.tokenUrl} onChange={(e) => set('tokenUrl', e.target.value)} />
      {form.kind === 'client-credentials' ? (
        <Input label={m('secret')} name="secret" type="password" autoComplete="new-password" value={form.secret}
          required={!existing?.hasSecret} placeholder={existing?.hasSecret ? m('secretKept') : ''} onChange={(e) => set('secret', e.target.value)} />
      ) : existing?.auth.kind === 'smart-backend' ? (
        <label className="check"><input type="checkbox" name="newKey" checked={form.newKey} onChange={(e) => set('newKey', e.target.checked)} /> {m('newKey')}</label>
      ) : null}
      <Input label={m('scope')} name="scope" value={form.scope} onChange={(e) => set('scope', e.target.value)} />
      <label className="check"><input type="checkbox" name="enabled" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} /> {m('enabled')}</label>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{busy ? t('app.loading') : m('save')}</button>
        <button type="button" onClick={() => onDone(null)}>{m('cancel')}</button>
      </div>
    </form>
  );
}

function Jwks({ partner }: { partner: Partner }) {
  const { m } = useAdminExchange();
  return (
    <section className="panel" data-testid="jwks">
      <p>{m('jwks')}</p>
      <pre className="jwks">{JSON.stringify(partner.jwks, null, 2)}</pre>
      <p className="note">{m('jwksUrl', { url: `${location.origin}/exchange/jwks` })}</p>
    </section>
  );
}
