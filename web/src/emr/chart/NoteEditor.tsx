// Writing a note: a new draft, a change to a draft (plain FHIR create / update, status preliminary), or
// an amendment of a signed note (Composition/$amend with a reason; the server signs the new version).
// Each section is plain text here and stored as a Narrative div of paragraphs.
import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '../../shared/i18n/index.tsx';
import { ErrorNote } from '../../shared/errors.tsx';
import { useAccount } from '../../staff/StaffGate.tsx';
import { notes } from './api.ts';
import { classLabel, useChart } from './common.tsx';
import { LOINC, formatDateTime, type Composition, type CompositionSection, type Encounter } from './fhir.ts';
import { NOTE_KINDS, kindOf, type NoteKind } from './note-types.ts';
import { narrativeToText, textToNarrative } from '../../shared/xhtml.tsx';

type Mode = { kind: 'new' } | { kind: 'draft'; note: Composition } | { kind: 'amend'; note: Composition };

/** The texts of a note's sections by the kind's section keys (two kinds share 18776-5: matched in order). */
function textsOf(kind: NoteKind, note: Composition | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const used = new Set<CompositionSection>();
  for (const s of kind.sections) {
    const found = note?.section?.find((x) => !used.has(x) && x.code?.coding?.some((c) => c.code === s.loinc));
    if (found) used.add(found);
    out[s.key] = narrativeToText(found?.text?.div);
  }
  return out;
}

export function NoteEditor({ patientId, encounters, mode, onSaved, onCancel }: {
  patientId: string; encounters: Encounter[]; mode: Mode; onSaved(note: Composition): void; onCancel(): void;
}) {
  const { m, lang } = useChart();
  const { t } = useI18n();
  const account = useAccount() as (ReturnType<typeof useAccount> & { practitionerId?: string }) | null;
  const existing = mode.kind === 'new' ? undefined : mode.note;
  const [typeCode, setTypeCode] = useState(existing ? existing.type.coding?.find((c) => c.system === LOINC)?.code ?? NOTE_KINDS[0]!.loinc : NOTE_KINDS[0]!.loinc);
  const kind = kindOf(typeCode) ?? NOTE_KINDS[0]!;
  const [encounter, setEncounter] = useState(existing?.encounter?.reference ?? (encounters[0] ? `Encounter/${encounters[0].id}` : ''));
  const [title, setTitle] = useState(existing?.title ?? '');
  const [texts, setTexts] = useState<Record<string, string>>(() => textsOf(kind, existing));
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [empty, setEmpty] = useState(false);
  const ids = { type: useId(), encounter: useId(), title: useId(), reason: useId(), section: useId() };

  function build(): Composition | null {
    const sections: CompositionSection[] = kind.sections
      .filter((s) => texts[s.key]?.trim())
      .map((s) => ({
        title: m(s.label),
        code: { coding: [{ system: LOINC, code: s.loinc, display: s.display }] },
        text: { status: 'additional', div: textToNarrative(texts[s.key]!) },
      }));
    if (sections.length === 0) return null;
    const author = account?.practitionerId ? [{ reference: `Practitioner/${account.practitionerId}`, display: account.displayName }] : existing?.author ?? [];
    return {
      ...(existing ?? {}),
      resourceType: 'Composition',
      id: existing?.id ?? '',
      status: existing?.status ?? 'preliminary',
      type: { coding: [{ system: LOINC, code: kind.loinc, display: kind.display }], text: m(kind.label) },
      subject: { reference: `Patient/${patientId}` },
      ...(encounter ? { encounter: { reference: encounter } } : {}),
      date: new Date().toISOString(),
      author: mode.kind === 'amend' ? existing!.author : author,
      title: title.trim() || m(kind.label),
      section: sections,
    };
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const note = build();
    setEmpty(!note);
    if (!note) return;
    if (!encounter) delete (note as Partial<Composition>).encounter;
    setBusy(true);
    setError(null);
    try {
      if (mode.kind === 'amend') onSaved(await notes.amend(note, reason.trim()));
      else if (mode.kind === 'draft') onSaved(await notes.update(note));
      else {
        const { id: _, meta: __, ...fresh } = note;
        onSaved(await notes.create(fresh));
      }
    } catch (err) { setError(err); } finally { setBusy(false); }
  }

  return (
    <form className="note-editor panel" name="note-editor" data-mode={mode.kind} onSubmit={submit}>
      <div className="grid">
        <div className="field">
          <label htmlFor={ids.type}>{m('noteType')}</label>
          <select id={ids.type} name="type" value={typeCode} disabled={mode.kind === 'amend'}
            onChange={(e) => { setTypeCode(e.target.value); setTexts(textsOf(kindOf(e.target.value)!, existing)); }}>
            {NOTE_KINDS.map((k) => <option key={k.loinc} value={k.loinc}>{m(k.label)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.encounter}>{m('encounter')}</label>
          <select id={ids.encounter} name="encounter" value={encounter} disabled={mode.kind === 'amend'} onChange={(e) => setEncounter(e.target.value)}>
            <option value="">{m('noEncounter')}</option>
            {encounters.map((e) => (
              <option key={e.id} value={`Encounter/${e.id}`}>{classLabel(m, e.class?.code)} {formatDateTime(e.period?.start, lang)} {e.serviceProvider?.display ?? ''}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.title}>{m('noteTitle')}</label>
          <input id={ids.title} name="title" value={title} placeholder={m(kind.label)} onChange={(e) => setTitle(e.target.value)} />
        </div>
      </div>
      {kind.sections.map((s, i) => (
        <div className="field" key={s.key}>
          <label htmlFor={`${ids.section}-${i}`}>{m(s.label)}</label>
          <textarea id={`${ids.section}-${i}`} name={s.key} rows={s.key === 'chief' ? 2 : 4} value={texts[s.key] ?? ''}
            onChange={(e) => setTexts({ ...texts, [s.key]: e.target.value })} />
        </div>
      ))}
      {mode.kind === 'amend' ? (
        <div className="field">
          <label htmlFor={ids.reason}>{m('amendReason')}</label>
          <input id={ids.reason} name="reason" required value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
      ) : null}
      {empty ? <p className="error" role="alert">{m('emptyNote')}</p> : null}
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit" name="save" className="primary" disabled={busy}>{busy ? t('staff.working') : mode.kind === 'amend' ? m('amendSubmit') : m('saveDraft')}</button>
        <button type="button" name="cancel" onClick={onCancel}>{m('cancel')}</button>
      </div>
    </form>
  );
}
