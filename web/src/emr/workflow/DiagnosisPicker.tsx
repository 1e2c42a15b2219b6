// Encounter diagnoses: an ICD-10 code from the catalogue (searched by code, Chinese or English name)
// becomes a Condition (category encounter-diagnosis, active, confirmed).
import { useId, useMemo, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { emr, fhir, type Encounter, type Named, type Resource } from './api.ts';
import { contextOf, useLoad, useM } from './common.tsx';
import { encounterDiagnosis } from './resources.ts';

type Condition = Resource & { id: string; code?: { text?: string; coding?: { code?: string; display?: string }[] } };

export const diagnosisLabel = (d: Named, lang: string) => `${d.code} ${lang === 'en' ? d.en : d.zh}`;

export function DiagnosisPicker({ encounter, practitioner, onAdded }: { encounter: Encounter; practitioner?: string; onAdded?(diagnosis: Named, condition: Condition): void }) {
  const { m, lang } = useM();
  const base = useId();
  const catalogue = useLoad(() => emr.catalogue(), []);
  const existing = useLoad(() => fhir.search<Condition>('Condition', `encounter=${encodeURIComponent(`Encounter/${encounter.id}`)}&category=encounter-diagnosis&_count=50`), [encounter.id]);
  const [text, setText] = useState('');
  const [chosen, setChosen] = useState<Named | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const matches = useMemo(() => {
    const needle = text.trim().toLowerCase();
    if (!needle || !catalogue.data) return [];
    return catalogue.data.diagnoses.filter((d) => d.code.toLowerCase().startsWith(needle) || d.zh.includes(text.trim()) || d.en.toLowerCase().includes(needle)).slice(0, 12);
  }, [text, catalogue.data]);

  async function add() {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      const condition = await fhir.create(encounterDiagnosis(chosen, contextOf(encounter, practitioner))) as Condition;
      onAdded?.(chosen, condition);
      setChosen(null);
      setText('');
      existing.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${base}-h`}>
      <h2 id={`${base}-h`}>{m('diagnoses')}</h2>
      {existing.data && existing.data.length > 0 ? (
        <ul className="wf-list" data-testid="diagnoses">
          {existing.data.map((c) => <li key={c.id} data-code={c.code?.coding?.[0]?.code}>{c.code?.coding?.[0]?.code} {c.code?.text ?? c.code?.coding?.[0]?.display}</li>)}
        </ul>
      ) : <p className="note">{m('noDiagnoses')}</p>}
      <div className="field">
        <label htmlFor={`${base}-q`}>{m('findDiagnosis')}</label>
        <input id={`${base}-q`} name="diagnosis-search" type="search" autoComplete="off" value={text}
          onChange={(e) => { setText(e.target.value); setChosen(null); }} />
      </div>
      {matches.length > 0 && !chosen ? (
        <ul className="wf-choices" aria-label={m('findDiagnosis')}>
          {matches.map((d) => (
            <li key={d.code}><button type="button" data-code={d.code} onClick={() => { setChosen(d); setText(diagnosisLabel(d, lang)); }}>
              <b>{d.code}</b> {d.zh} <span className="wf-en">{d.en}</span>
            </button></li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        <button type="button" className="primary" disabled={!chosen || busy} onClick={() => void add()}>{m('addDiagnosis')}</button>
      </div>
      <ErrorNote error={error ?? catalogue.error ?? existing.error} />
    </section>
  );
}
