// /emr/wards: the bed board — wards → rooms → beds, coloured by status, occupancy per ward, who lies
// where and for how long. Live: every committed admit / transfer / discharge / bed-status change on
// any client makes the server emit `beds` on /wards, and the board is read again (no reload).
// Actions: admit a patient into a free bed, transfer, mark cleaned, close / reopen a bed.
import { useCallback, useState, type FormEvent } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { desk, patientName, type Patient } from '../../staff/api.ts';
import { emr, workflow, type BedBoard as Board, type BoardBed } from './api.ts';
import { ageOf, useClinician, useLoad, useM } from './common.tsx';
import { BedSelect } from './BedPicker.tsx';
import { useWardEvents } from './ward-socket.ts';

type Action = { kind: 'admit' | 'transfer'; bed: BoardBed } | null;

export function BedBoardPage({ navigate }: { navigate(path: string): void }) {
  const { m, lang } = useM();
  const board = useLoad(() => emr.bedBoard(), []);
  const { reload } = board;
  const { connected } = useWardEvents(useCallback(() => reload(), [reload]));
  const { roles } = useClinician();
  const [action, setAction] = useState<Action>(null);
  const [error, setError] = useState<unknown>(null);
  const nurse = roles.includes('nurse') || roles.includes('admin');

  async function setStatus(bed: BoardBed, status: 'free' | 'closed') {
    setError(null);
    try {
      await workflow.bedStatus(bed.id, status);
    } catch (err) {
      setError(err);
    } finally {
      reload();
    }
  }

  return (
    <section aria-labelledby="wards-h" className="wf-wards">
      <div className="book-head">
        <h2 id="wards-h">{m('bedBoard')}</h2>
        <span className={`wf-live ${connected ? 'on' : ''}`} data-testid="live" data-connected={connected}>{connected ? m('live') : m('notLive')}</span>
      </div>
      <ErrorNote error={error ?? board.error} />
      {action ? <BedAction action={action} board={board.data} onDone={() => { setAction(null); reload(); }} /> : null}
      {board.data === null ? (board.error ? null : <p role="status">{m('loading')}</p>) : board.data.wards.map((ward) => (
        <section key={ward.id} className="panel wf-ward" data-ward={ward.id} aria-labelledby={`ward-${ward.id}`}>
          <div className="book-head">
            <h3 id={`ward-${ward.id}`}>{lang === 'en' ? ward.nameEn ?? ward.name : ward.name}</h3>
            <span className="wf-occupancy" data-testid="occupancy">
              {m('occupancy', { occupied: ward.occupied, total: ward.total, pct: ward.total ? Math.round((100 * ward.occupied) / ward.total) : 0 })}
              {' · '}{m('freeCount', { n: ward.free })} · {m('cleaningCount', { n: ward.cleaning })} · {m('closedCount', { n: ward.closed })}
            </span>
          </div>
          <div className="wf-occ-bar" aria-hidden="true"><span style={{ width: `${ward.total ? (100 * ward.occupied) / ward.total : 0}%` }} /></div>
          {ward.rooms.map((room) => (
            <div key={room.id} className="wf-room" data-room={room.id}>
              <h4>{room.name}</h4>
              <ul className="wf-beds">
                {room.beds.map((bed) => (
                  <li key={bed.id} className={`wf-bed wf-bed-${bed.status}`} data-bed={bed.id} data-status={bed.status} data-patient={bed.occupant?.patient.id ?? ''}>
                    <p className="wf-bed-name">{bed.name} <span className="wf-bed-status">{m(`bed.${bed.status}`)}</span></p>
                    {bed.occupant ? (
                      <>
                        <p className="wf-name">
                          <a href={`/emr/inpatients/${bed.occupant.encounterId}`} onClick={(e) => { e.preventDefault(); navigate(`/emr/inpatients/${bed.occupant!.encounterId}`); }}>
                            {bed.occupant.patient.name}
                          </a>
                        </p>
                        <p className="note">
                          {[
                            ageOf(bed.occupant.patient.birthDate) !== undefined ? m('ageYears', { age: ageOf(bed.occupant.patient.birthDate)! }) : '',
                            bed.occupant.lengthOfStayDays !== undefined ? m('losDays', { n: bed.occupant.lengthOfStayDays }) : '',
                            bed.occupant.attending ?? '',
                          ].filter(Boolean).join(' · ')}
                        </p>
                        <button type="button" onClick={() => setAction({ kind: 'transfer', bed })} aria-label={`${m('transfer')} ${bed.occupant.patient.name}`}>{m('transfer')}</button>
                      </>
                    ) : null}
                    {bed.status === 'free' ? (
                      <div className="actions">
                        <button type="button" onClick={() => setAction({ kind: 'admit', bed })} aria-label={`${m('admit')} ${bed.name}`}>{m('admit')}</button>
                        {nurse ? <button type="button" onClick={() => void setStatus(bed, 'closed')} aria-label={`${m('closeBed')} ${bed.name}`}>{m('closeBed')}</button> : null}
                      </div>
                    ) : null}
                    {bed.status === 'cleaning' && nurse ? <button type="button" onClick={() => void setStatus(bed, 'free')} aria-label={`${m('markCleaned')} ${bed.name}`}>{m('markCleaned')}</button> : null}
                    {bed.status === 'closed' && nurse ? <button type="button" onClick={() => void setStatus(bed, 'free')} aria-label={`${m('reopenBed')} ${bed.name}`}>{m('reopenBed')}</button> : null}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ))}
    </section>
  );
}

/** Admit a patient (found by name or resident ID) into the chosen free bed, or move an occupant to another free bed. */
function BedAction({ action, board, onDone }: { action: NonNullable<Action>; board: Board | null; onDone(): void }) {
  const { m } = useM();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Patient[] | null>(null);
  const [patient, setPatient] = useState<Patient | null>(null);
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function search(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try { setFound(await desk.findPatients(query)); } catch (err) { setError(err); }
  }
  async function run(work: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await work();
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel wf-action" aria-labelledby="bed-action-h" data-testid={`bed-action-${action.kind}`}>
      <div className="book-head">
        <h3 id="bed-action-h">{action.kind === 'admit' ? m('admitInto', { bed: action.bed.name }) : m('transferFrom', { name: action.bed.occupant?.patient.name ?? '', bed: action.bed.name })}</h3>
        <button type="button" onClick={onDone}>{m('cancel')}</button>
      </div>
      {action.kind === 'admit' ? (
        <>
          <form className="inline-form" role="search" name="admit-patient" onSubmit={search}>
            <div className="field">
              <label htmlFor="admit-q">{m('findPatient')}</label>
              <input id="admit-q" name="query" required value={query} onChange={(e) => setQuery(e.target.value)} />
            </div>
            <button type="submit">{m('search')}</button>
          </form>
          {found ? (
            <ul className="wf-choices">
              {found.length === 0 ? <li>{m('noPatients')}</li> : found.map((p) => (
                <li key={p.id}><button type="button" aria-pressed={patient?.id === p.id} data-patient={p.id} onClick={() => setPatient(p)}>
                  {patientName(p)} {p.birthDate ?? ''}
                </button></li>
              ))}
            </ul>
          ) : null}
          <div className="actions">
            <button type="button" className="primary" disabled={!patient || busy}
              onClick={() => void run(() => workflow.admit({ patient: patient!.id, bed: action.bed.id }))}>
              {patient ? m('admitPatientInto', { name: patientName(patient), bed: action.bed.name }) : m('admit')}
            </button>
          </div>
        </>
      ) : (
        <>
          <BedSelect board={board} value={target} onChange={setTarget} exclude={action.bed.id} />
          <div className="actions">
            <button type="button" className="primary" disabled={!target || busy}
              onClick={() => void run(() => workflow.transfer(action.bed.occupant!.encounterId, target))}>{m('transferConfirm')}</button>
          </div>
        </>
      )}
      <ErrorNote error={error} />
    </section>
  );
}
