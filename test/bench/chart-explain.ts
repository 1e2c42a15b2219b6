// The plans behind a slow chart query: runs the engine's own searcher on a recording connection,
// then EXPLAIN ANALYZE each statement it issued, with the same parameters.
import type { Database, Queryable } from '../../fhir/index.ts';
import { createSearcher } from '../../fhir/search/execute.ts';
import type { SearchParameterRegistry } from '../../fhir/definitions/search-parameters.ts';

export async function explainSearch(db: Database, registry: SearchParameterRegistry, path: string, timeZone = 'Asia/Shanghai'): Promise<string> {
  const [type, query = ''] = path.split('?') as [string, string?];
  if (type.includes('/')) return '(a read by id, not a search)';
  const statements: { text: string; values: unknown[] }[] = [];
  const recording: Queryable = {
    query: (text, params, options) => {
      statements.push({ text, values: params ?? [] });
      return db.query(text, params, options);
    },
  };
  await createSearcher(registry, timeZone).search(recording, type, new URLSearchParams(query));
  const out: string[] = [];
  for (const s of statements) {
    const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.values);
    out.push(`${s.text.replace(/\s+/g, ' ').trim()}\n  -- ${JSON.stringify(s.values).slice(0, 300)}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  }
  return out.join('\n\n');
}
