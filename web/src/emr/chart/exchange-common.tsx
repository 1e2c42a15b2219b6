// Pieces of the exchange tab's parts: their messages, the partner <select>, and the badge that marks
// what came from another hospital (on the summary tab too).
import { useCallback, useState } from 'react';
import { useMessages } from '../i18n.ts';
import { importedFrom, type Partner } from './exchange-api.ts';
import type { Resource } from './fhir.ts';
import { exchangeMessages } from './exchange-messages.ts';

export const useExchange = () => useMessages(exchangeMessages);

/**
 * One action at a time on a card: `run(key, action)` marks it busy under `key` (the button that
 * started it shows so, the others wait), clears the last notice and error, and keeps a failure.
 */
export function useAction() {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const run = useCallback(async (key: string, action: () => Promise<void>) => {
    setBusy(key);
    setError(null);
    setNotice('');
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }, []);
  return { busy, error, setError, notice, setNotice, run };
}

/** The partner <select> of both forms. */
export function PartnerSelect({ partners, value, onChange, name }: { partners: readonly Partner[]; value: string; onChange(id: string): void; name: string }) {
  const { m } = useExchange();
  return (
    <label className="field">
      <span>{m('partner')}</span>
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)} required>
        <option value="">{m('choose')}</option>
        {partners.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </select>
    </label>
  );
}

/** A badge on what was brought in from another hospital, naming the source. */
export function ImportedBadge({ resource }: { resource: Resource }) {
  const { m } = useExchange();
  const source = importedFrom(resource);
  if (source === undefined) return null;
  return <span className="badge imported" data-imported={source} title={m('importedFrom', { source })}>{m('imported')}</span>;
}
