// Referral out: a doctor chooses the partner hospital, gives the reason, and sends — the server makes
// the ServiceRequest and a Task and posts the patient summary document to the partner
// (Patient/$refer). The patient's referrals are listed with their Task status; a failed one can be
// sent again on the same Task.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { hasMessage, translate } from '../../shared/i18n/index.tsx';
import { formatDateTime } from './fhir.ts';
import { refer, referAgain, referrals, type Partner, type ServiceRequest, type Task } from './exchange-api.ts';
import { PartnerSelect, useAction, useExchange } from './exchange-common.tsx';

const statusKey = {
  requested: 'taskRequested', 'in-progress': 'taskInProgress', completed: 'taskCompleted', failed: 'taskFailed', cancelled: 'taskCancelled',
} as const;

export function Referrals({ patientId, partners, canSend }: { patientId: string; partners: readonly Partner[]; canSend: boolean }) {
  const { m, lang } = useExchange();
  const [list, setList] = useState<{ tasks: Task[]; requests: Map<string, ServiceRequest> } | null>(null);
  const { busy, error, setError, notice, setNotice, run } = useAction();
  const [partner, setPartner] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');

  const load = useCallback(() => referrals(patientId).then(setList, setError), [patientId]);
  useEffect(() => { void load(); }, [load]);

  const nameOf = (task: Task) => task.owner?.display ?? '';
  // The failure in our words when its exchange error code is one we know, else the server's own.
  const reasonOf = (task: Task) => {
    const code = task.statusReason?.coding?.[0]?.code;
    return code && hasMessage(lang, `errors.${code}`) ? translate(lang, `errors.${code}`, { detail: task.statusReason?.text ?? '' }) : task.statusReason?.text ?? task.status;
  };
  const announce = (task: Task) => setNotice(task.status === 'completed'
    ? m('referSent', { partner: nameOf(task) })
    : m('referFailedNow', { partner: nameOf(task), reason: reasonOf(task) }));

  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!partner) return;
    void run('new', async () => {
      announce(await refer(patientId, partner, reason.trim(), note.trim()));
      setReason('');
      setNote('');
      await load();
    });
  };

  const again = (task: Task) => run(task.id, async () => {
    announce(await referAgain(patientId, task.id));
    await load();
  });

  return (
    <section className="card" aria-labelledby="refer-heading" data-testid="referrals">
      <h3 id="refer-heading">{m('referHeading')}</h3>
      {canSend && partners.length > 0 ? (
        <form name="refer" className="stack" onSubmit={send}>
          <PartnerSelect name="partner" partners={partners} value={partner} onChange={setPartner} />
          <label className="field"><span>{m('referReason')}</span>
            <input name="reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} required />
          </label>
          <label className="field"><span>{m('referNote')}</span>
            <textarea name="note" value={note} maxLength={2000} rows={2} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="submit" className="primary" disabled={busy !== null || !partner}>{busy === 'new' ? m('referSending') : m('referSend')}</button>
        </form>
      ) : null}
      <p role="status" className="note" data-testid="refer-notice">{notice}</p>
      <ErrorNote error={error} />
      <h4>{m('referrals')}</h4>
      {list?.tasks.length === 0 ? <p className="note">{m('noReferrals')}</p> : null}
      {list && list.tasks.length > 0 ? (
        <table className="data">
          <thead><tr><th>{m('referWhen')}</th><th>{m('referTo')}</th><th>{m('referReason')}</th><th>{m('referStatus')}</th><th /></tr></thead>
          <tbody>
            {list.tasks.map((task) => {
              const request = task.focus?.reference ? list.requests.get(task.focus.reference) : undefined;
              const key = statusKey[task.status as keyof typeof statusKey];
              return (
                <tr key={task.id} data-task={task.id} data-status={task.status}>
                  <td>{formatDateTime(task.authoredOn, lang)}</td>
                  <td>{nameOf(task)}</td>
                  <td>{request?.reasonCode?.[0]?.text ?? ''}</td>
                  <td>
                    <span className={`badge task-${task.status}`}>{key ? m(key) : m('taskOther', { status: task.status })}</span>
                    {task.status === 'failed' ? <span className="muted failure" title={task.statusReason?.text}>{reasonOf(task)}</span> : null}
                  </td>
                  <td>
                    {canSend && task.status === 'failed'
                      ? <button type="button" name="retry" disabled={busy !== null} onClick={() => void again(task)}>{m('referRetry')}</button>
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
