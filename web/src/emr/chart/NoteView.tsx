// One note: its sections (narrative rendered safely), status and signature. A draft can be edited and
// signed (Composition/$sign) by its author; a signed note is read-only — "signed by X at T ✓ verified"
// from GET /emr/notes/{id}/versions — and can be amended with a reason. Every version is listed with
// its author and signature status and can be opened (Composition/{id}/_history/{v}).
import { useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { notes, type NoteVersion } from './api.ts';
import { useChart } from './common.tsx';
import { conceptText, formatDateTime, type Composition, type Encounter } from './fhir.ts';
import { NoteEditor } from './NoteEditor.tsx';
import { NoteStatus } from './NoteStatus.tsx';
import { Narrative } from '../../shared/xhtml.tsx';

function Sections({ note }: { note: Composition }) {
  return (
    <div className="note-sections" data-testid="note-text">
      {(note.section ?? []).map((s, i) => (
        <section key={i} className="note-section">
          <h4>{s.title}</h4>
          <Narrative div={s.text?.div} />
        </section>
      ))}
    </div>
  );
}

function Signature({ version }: { version: NoteVersion | undefined }) {
  const { m, lang } = useChart();
  if (!version?.signature) return null;
  const { signer, when, verified } = version.signature;
  return (
    <p className={verified ? 'ok' : 'error'} data-testid="signature" data-verified={String(verified)}>
      {m('signedBy', { name: signer, when: formatDateTime(when, lang) })} {verified ? m('verified') : m('notVerified')}
    </p>
  );
}

export function NoteView({ patientId, noteId, encounters, onChanged }: { patientId: string; noteId: string; encounters: Encounter[]; onChanged(): void }) {
  const { m, lang } = useChart();
  const [note, setNote] = useState<Composition | null>(null);
  const [versions, setVersions] = useState<NoteVersion[] | null>(null);
  const [versionsError, setVersionsError] = useState(false);
  const [shown, setShown] = useState<Composition | null>(null);
  const [editing, setEditing] = useState<'draft' | 'amend' | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const loadVersions = useCallback(async () => {
    try {
      setVersions((await notes.versions(noteId)).versions);
      setVersionsError(false);
    } catch {
      setVersions(null);
      setVersionsError(true);
    }
  }, [noteId]);
  const load = useCallback(async () => {
    setError(null);
    try {
      setNote(await notes.read(noteId));
      setShown(null);
      await loadVersions();
    } catch (err) { setError(err); }
  }, [noteId, loadVersions]);
  useEffect(() => { void load(); }, [load]);

  /** The note as an operation or a write answered it (the stored version), then its versions again. */
  async function changed(stored: Composition, text: string) {
    setNote(stored);
    setShown(null);
    setStatus(text);
    await loadVersions();
    onChanged();
  }

  async function sign() {
    if (!note) return;
    setBusy(true);
    setError(null);
    try {
      await changed(await notes.sign(note.id), m('signedOk'));
    } catch (err) { setError(err); } finally { setBusy(false); }
  }

  async function view(versionId: string) {
    setError(null);
    try { setShown(await notes.version(noteId, versionId)); } catch (err) { setError(err); }
  }

  if (!note) return error ? <ErrorNote error={error} /> : <p role="status">{m('loading')}</p>;
  if (editing) {
    return (
      <NoteEditor patientId={patientId} encounters={encounters} mode={{ kind: editing, note }}
        onCancel={() => setEditing(null)}
        onSaved={(stored) => { setEditing(null); void changed(stored, editing === 'amend' ? m('amendedOk') : m('saved')); }} />
    );
  }
  const signed = note.status === 'final' || note.status === 'amended';
  const displayed = shown ?? note;
  // The signature of the version on screen (the current one unless an older one is opened).
  const signature = shown ? versions?.find((v) => v.versionId === shown.meta?.versionId) : versions?.[0];
  return (
    <article className="note-card panel" data-testid="note" data-note={note.id} data-status={note.status}>
      <header className="note-head">
        <h3>{note.title}</h3>
        <NoteStatus status={note.status} />
        <span className="muted">{conceptText(note.type, lang)} · {formatDateTime(note.date, lang)} · {note.author.map((a) => a.display).filter(Boolean).join('、')}</span>
      </header>
      {status ? <p className="note ok" role="status">{status}</p> : null}
      {signed ? <Signature version={signature} /> : null}
      {signed ? <p className="note">{m('readOnly')}</p> : null}
      {shown ? (
        <p className="note" data-testid="shown-version" data-version={shown.meta?.versionId}>
          {m('version', { v: shown.meta?.versionId ?? '' })} · <NoteStatus status={shown.status} />{' '}
          <button type="button" className="link" onClick={() => setShown(null)}>{m('showCurrent')}</button>
        </p>
      ) : null}
      <Sections note={displayed} />
      <ErrorNote error={error} />
      <div className="actions">
        {note.status === 'preliminary' ? (
          <>
            <button type="button" name="edit" onClick={() => setEditing('draft')}>{m('edit')}</button>
            <button type="button" name="sign" className="primary" disabled={busy} onClick={() => void sign()}>{m('sign')}</button>
          </>
        ) : null}
        {signed ? <button type="button" name="amend" onClick={() => setEditing('amend')}>{m('amend')}</button> : null}
      </div>
      <section className="versions" aria-label={m('history')}>
        <h4>{m('history')}</h4>
        {versionsError ? <p className="note">{m('versionsUnavailable')}</p> : null}
        {versions ? (
          <ol className="rows" data-testid="versions">
            {versions.map((v) => (
              <li key={v.versionId} data-version={v.versionId} data-status={v.status}>
                <strong>{m('version', { v: v.versionId })}</strong> <NoteStatus status={v.status} />{' '}
                <span className="muted">{formatDateTime(v.lastUpdated, lang)} · {m('author')} {v.author}</span>
                {v.signature ? <span className={v.signature.verified ? 'ok' : 'error'}> · {v.signature.verified ? m('verified') : m('notVerified')}</span> : null}
                {v.amendmentReason ? <span className="muted"> · {m('reason', { reason: v.amendmentReason })}</span> : null}{' '}
                <button type="button" className="link" name="view-version" onClick={() => void view(v.versionId)}>{m('viewVersion')}</button>
              </li>
            ))}
          </ol>
        ) : null}
      </section>
    </article>
  );
}
