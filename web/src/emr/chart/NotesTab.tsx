// The notes tab: the patient's Compositions (progress, admission, discharge summary, outpatient) with
// their status, a page at a time; /notes/new writes a draft, /notes/{id} opens one.
import { useEffect, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { notePage, type Summary } from './api.ts';
import { Link, LoadMore, navigateTo, useChart } from './common.tsx';
import { conceptText, formatDateTime, type Composition, type Encounter } from './fhir.ts';
import { NoteEditor } from './NoteEditor.tsx';
import { NoteStatus } from './NoteStatus.tsx';
import { NoteView } from './NoteView.tsx';

export function NotesTab({ patientId, noteId, summary, onChanged }: { patientId: string; noteId?: string; summary: Summary; onChanged(): void }) {
  const { m, lang } = useChart();
  const base = `/emr/patients/${encodeURIComponent(patientId)}/notes`;
  const encounters = (summary.encounters ?? []) as Encounter[];
  const [list, setList] = useState<Composition[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function load(link?: string) {
    setBusy(true);
    try {
      const page = await notePage(patientId, link);
      setList((prev) => [...(link ? prev ?? [] : []), ...page.items]);
      setNext(page.next);
    } catch (err) { setError(err); } finally { setBusy(false); }
  }
  useEffect(() => { if (!noteId) void load(); }, [patientId, noteId]); // eslint-disable-line react-hooks/exhaustive-deps

  if (noteId === 'new') {
    return (
      <NoteEditor patientId={patientId} encounters={encounters} mode={{ kind: 'new' }}
        onCancel={() => navigateTo(base)}
        onSaved={(note) => { onChanged(); navigateTo(`${base}/${encodeURIComponent(note.id)}`); }} />
    );
  }
  if (noteId) {
    return (
      <>
        <p><Link href={base}>{m('back')}</Link></p>
        <NoteView key={noteId} patientId={patientId} noteId={noteId} encounters={encounters} onChanged={onChanged} />
      </>
    );
  }
  return (
    <section aria-label={m('tabNotes')}>
      <div className="actions"><Link className="button primary" href={`${base}/new`} data-testid="new-note">{m('newNote')}</Link></div>
      <ErrorNote error={error} />
      {list === null ? <p role="status">{m('loading')}</p> : list.length === 0 ? <p>{m('noNotes')}</p> : (
        <ul className="rows notes-list" data-testid="notes">
          {list.map((n) => (
            <li key={n.id} data-note={n.id} data-status={n.status}>
              <Link href={`${base}/${encodeURIComponent(n.id)}`}>{n.title}</Link> <NoteStatus status={n.status} />
              <span className="muted"> {conceptText(n.type, lang)} · {formatDateTime(n.date, lang)} · {n.author.map((a) => a.display).filter(Boolean).join('、')}</span>
            </li>
          ))}
        </ul>
      )}
      <LoadMore next={next} busy={busy} onMore={() => void load(next)} />
    </section>
  );
}
