// A note of an encounter: finds its latest Composition of the type, edits the sections as textareas,
// saves the draft (on Save and when a field is left), and signs it ($sign locks it).
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { fhir, workflow, type Encounter } from './api.ts';
import { contextOf, useM } from './common.tsx';
import { compositionDraft, isSigned, textsOf, type Composition, type NoteSpec } from './notes.ts';

export interface NoteState {
  composition: Composition | null;
  texts: Record<string, string>;
  loaded: boolean;
  busy: boolean;
  error: unknown;
  saved: boolean;
  /** Changed since the last save. */
  dirty: boolean;
  set(key: string, text: string): void;
  /** Saves the draft; `texts` replaces fields first (for a caller that just changed them). */
  save(texts?: Record<string, string>): Promise<Composition | null>;
  sign(): Promise<void>;
}

export function useNote(spec: NoteSpec, encounter: Encounter, practitioner: string | undefined, title: string, titles: Record<string, string>,
  extension?: Composition['extension']): NoteState {
  const [composition, setComposition] = useState<Composition | null>(null);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [dirty, setDirty] = useState(false);
  const current = useRef({ composition, texts });
  current.current = { composition, texts };
  const titlesRef = useRef(titles);
  titlesRef.current = titles;

  useEffect(() => {
    let live = true;
    const type = `${spec.type.system}|${spec.type.code}`;
    fhir.search<Composition>('Composition', `encounter=${encodeURIComponent(`Encounter/${encounter.id}`)}&type=${encodeURIComponent(type)}&_sort=-date&_count=1`)
      .then(([found]) => {
        if (!live) return;
        setComposition(found ?? null);
        setTexts(textsOf(spec, found, titlesRef.current));
        setLoaded(true);
      }, (err: unknown) => { if (live) { setError(err); setLoaded(true); } });
    return () => { live = false; };
  }, [spec, encounter.id]);

  // One save at a time: a Save click while the blur's save runs must update the draft it creates, not make a second one.
  const pending = useRef<Promise<unknown>>(Promise.resolve());
  const save = useCallback((replace?: Record<string, string>): Promise<Composition | null> => {
    const next = pending.current.then(() => saveNow(replace));
    pending.current = next;
    return next;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [spec, title, encounter, practitioner, extension]);

  const saveNow = async (replace?: Record<string, string>): Promise<Composition | null> => {
    const { composition: previous } = current.current;
    if (isSigned(previous ?? undefined)) return previous;
    const all = { ...current.current.texts, ...replace };
    if (replace) setTexts(all);
    setBusy(true);
    setError(null);
    try {
      const draft = compositionDraft(spec, { title, texts: all, titles: titlesRef.current, previous: previous ?? undefined, extension }, contextOf(encounter, practitioner));
      const stored = previous?.id ? await fhir.update(draft) : await fhir.create(draft);
      setComposition(stored);
      current.current = { composition: stored, texts: all };
      setSaved(true);
      setDirty(false);
      return stored;
    } catch (err) {
      setError(err);
      return null;
    } finally {
      setBusy(false);
    }
  };

  const sign = useCallback(async () => {
    const stored = await save();
    if (!stored?.id) return;
    setBusy(true);
    try {
      await workflow.sign(stored.id);
      setComposition(await fhir.read<Composition>('Composition', stored.id));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, [save]);

  const set = useCallback((key: string, text: string) => { setSaved(false); setDirty(true); setTexts((before) => ({ ...before, [key]: text })); }, []);
  return { composition, texts, loaded, busy, error, saved, dirty, set, save, sign };
}

export function NoteForm({ note, spec, titles, heading, testId }: { note: NoteState; spec: NoteSpec; titles: Record<string, string>; heading: string; testId: string }) {
  const { m } = useM();
  const signed = isSigned(note.composition ?? undefined);
  const base = useId();
  return (
    <section className="panel wf-note" aria-labelledby={`${base}-h`} data-testid={testId} data-status={note.composition?.status ?? 'new'}>
      <div className="book-head">
        <h2 id={`${base}-h`}>{heading}</h2>
        <span className={`wf-badge ${signed ? 'wf-signed' : ''}`} data-testid={`${testId}-status`}>
          {signed ? m('noteSigned') : note.composition ? m('noteDraft') : m('noteNew')}
        </span>
      </div>
      {!note.loaded ? <p role="status">{m('loading')}</p> : spec.sections.map((s) => (
        <div className="field" key={s.key}>
          <label htmlFor={`${base}-${s.key}`}>{titles[s.key]}</label>
          <textarea id={`${base}-${s.key}`} name={s.key} rows={s.key === 'chiefComplaint' ? 2 : 4} readOnly={signed}
            value={note.texts[s.key] ?? ''} onChange={(e) => note.set(s.key, e.target.value)}
            onBlur={() => { if (!signed && note.dirty && !note.busy) void note.save(); }} />
        </div>
      ))}
      <ErrorNote error={note.error} />
      {signed ? null : (
        <div className="actions">
          <button type="button" onClick={() => void note.save()} disabled={note.busy}>{m('saveDraft')}</button>
          <button type="button" className="primary" onClick={() => void note.sign()} disabled={note.busy}>{m('signNote')}</button>
          {note.saved && note.composition ? <span className="note ok" role="status">{m('draftSaved')}</span> : null}
        </div>
      )}
    </section>
  );
}
