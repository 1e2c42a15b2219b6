// Where imported transactions go: the FHIR engine in this process (embedded database), or a running
// server over HTTP. Each transaction is all-or-nothing either way.
import { FhirError, type FhirEngine, type Resource } from '../../fhir/index.ts';

export interface ImportSink {
  /** Writes one transaction Bundle; resolves to the number of entries written. */
  submit(bundle: Resource): Promise<number>;
}

function entryCount(bundle: Resource): number {
  return Array.isArray(bundle.entry) ? bundle.entry.length : 0;
}

export function engineSink(engine: FhirEngine, baseUrl = 'http://localhost/fhir'): ImportSink {
  return {
    async submit(bundle) {
      await engine.handle({ method: 'POST', path: '', query: new URLSearchParams(), headers: { prefer: 'return=minimal' }, body: bundle }, baseUrl);
      return entryCount(bundle);
    },
  };
}

export function httpSink(fhirBase: string, headers: Record<string, string> = {}): ImportSink {
  return {
    async submit(bundle) {
      const res = await fetch(fhirBase, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', prefer: 'return=minimal', ...headers },
        body: JSON.stringify(bundle),
      });
      if (!res.ok) {
        const text = await res.text();
        let message = `HTTP ${res.status}`;
        try {
          const outcome = JSON.parse(text) as { issue?: { details?: { text?: string } }[] };
          message += `: ${outcome.issue?.map((i) => i.details?.text).filter(Boolean).join('; ')}`;
        } catch { /* not an OperationOutcome */ }
        throw new Error(message);
      }
      await res.arrayBuffer().catch(() => undefined);
      return entryCount(bundle);
    },
  };
}

export function describeError(err: unknown): string {
  if (err instanceof FhirError) return err.issues.map((i) => i.details?.text ?? i.code).join('; ');
  return err instanceof Error ? err.message : String(err);
}
