// The timeline: every encounter, newest first, a page at a time (the Bundle's next link): class
// (门诊 AMB / 急诊 EMER / 住院 IMP, v3 ActCode), dates, department, diagnoses, and the notes written in it.
import { useEffect, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { encounterPage } from './api.ts';
import { classLabel, Link, LoadMore, useChart, type M } from './common.tsx';
import { conceptText, formatDateTime, idOf, type Composition, type Condition, type Encounter } from './fhir.ts';
import { NoteStatus } from './NoteStatus.tsx';

function statusLabel(m: M, status: string | undefined): string {
  return status === 'in-progress' ? m('statusInProgress') : status === 'finished' ? m('statusFinished')
    : status === 'arrived' ? m('statusArrived') : status === 'planned' ? m('statusPlanned') : status ?? '';
}

export function TimelineTab({ patientId }: { patientId: string }) {
  const { m, lang } = useChart();
  const [encounters, setEncounters] = useState<Encounter[] | null>(null);
  const [notes, setNotes] = useState<Composition[]>([]);
  const [diagnoses, setDiagnoses] = useState<Map<string, Condition>>(new Map());
  const [next, setNext] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function load(link?: string) {
    setBusy(true);
    try {
      const page = await encounterPage(patientId, link);
      setEncounters((prev) => [...(link ? prev ?? [] : []), ...page.items]);
      setNotes((prev) => [...(link ? prev : []), ...page.notes]);
      setDiagnoses((prev) => new Map([...(link ? prev : []), ...page.diagnoses.map((c) => [c.id, c] as const)]));
      setNext(page.next);
    } catch (err) { setError(err); } finally { setBusy(false); }
  }
  useEffect(() => { void load(); }, [patientId]); // eslint-disable-line react-hooks/exhaustive-deps

  const base = `/emr/patients/${encodeURIComponent(patientId)}`;
  return (
    <section aria-label={m('tabTimeline')}>
      <ErrorNote error={error} />
      {encounters === null ? <p role="status">{m('loading')}</p> : encounters.length === 0 ? <p>{m('noEncounters')}</p> : (
        <ol className="timeline" data-testid="timeline">
          {encounters.map((e) => {
            const mine = notes.filter((n) => idOf(n.encounter) === e.id);
            const attending = e.participant?.find((p) => p.type?.some((t) => t.coding?.some((c) => c.code === 'ATND')))?.individual?.display;
            return (
              <li key={e.id} className={`encounter class-${e.class?.code ?? 'other'}`} data-encounter={e.id} data-class={e.class?.code}>
                <div className="encounter-head">
                  <span className="badge">{classLabel(m, e.class?.code)}</span>
                  <strong>{formatDateTime(e.period?.start, lang)}</strong>
                  {e.period?.end ? <span> – {formatDateTime(e.period.end, lang)}</span> : null}
                  <span>{e.serviceProvider?.display ?? ''}</span>
                  {attending ? <span className="muted">{m('attending')} {attending}</span> : null}
                  <span className="muted">{statusLabel(m, e.status)}</span>
                </div>
                {e.diagnosis?.length ? (
                  <p><span className="muted">{m('diagnoses')}</span>{e.diagnosis.map((d) => { const c = diagnoses.get(idOf(d.condition) ?? ''); return c ? conceptText(c.code, lang) : d.condition?.display; }).filter(Boolean).join('；')}</p>
                ) : null}
                {mine.length > 0 ? (
                  <ul className="encounter-notes">
                    {mine.map((n) => (
                      <li key={n.id}><Link href={`${base}/notes/${encodeURIComponent(n.id)}`}>{n.title}</Link> <NoteStatus status={n.status} /></li>
                    ))}
                  </ul>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
      <LoadMore next={next} busy={busy} onMore={() => void load(next)} />
    </section>
  );
}
