// The version history of a note as the chart shows it (电子病历应用管理规范 §14: every version
// kept and attributable): each version from the resource's history, newest first, with the
// signature of that version verified against that version's own content, and the reason of an
// amendment. The full text of a version is GET /fhir/Composition/{id}/_history/{v}.
import type { Repository, Resource } from '../../../fhir/index.ts';
import type { Signatures } from '../../signing/signatures.ts';

interface Json { [key: string]: any }

export interface NoteVersion {
  versionId: string;
  status: string;
  lastUpdated: string;
  title: string;
  /** Who wrote this version: the last of its authors (an amender is added last). */
  author: string;
  signature?: { verified: boolean; signer: string; when: string };
  amendmentReason?: string;
}

const pageSize = 100;

/** The signature Provenances of the note, by the versioned reference they sign (the latest recorded wins). */
async function signaturesByVersion(repo: Repository, id: string): Promise<{ byTarget: Map<string, Json>; all: Json[] }> {
  const byTarget = new Map<string, Json>();
  const all: Json[] = [];
  const query = new URLSearchParams({ target: `Composition/${id}`, _count: String(pageSize), _sort: 'recorded' });
  for (const v of (await repo.search('Provenance', query)).versions) {
    const provenance = JSON.parse(v.json!) as Json;
    all.push(provenance);
    for (const t of (provenance.target ?? []) as Json[]) if (typeof t.reference === 'string') byTarget.set(t.reference, provenance);
  }
  return { byTarget, all };
}

/** The versions, and what was read for them (the note as it stands and its signature Provenances, for the audit record). */
export async function noteVersions(repo: Repository, signatures: Signatures, id: string): Promise<{ versions: NoteVersion[]; note: string; provenances: Json[] }> {
  const current = await repo.read('Composition', id); // 404 / 410 first
  const stored: { versionId: number; lastUpdated: string; note: Json }[] = [];
  let before: string | undefined;
  do {
    const page = await repo.history({ resourceType: 'Composition', id, count: pageSize, ...(before ? { before } : {}) });
    for (const e of page.entries) if (!e.deleted && e.json) stored.push({ versionId: e.versionId, lastUpdated: e.lastUpdated, note: JSON.parse(e.json) as Json });
    before = page.next;
  } while (before);
  const { byTarget, all } = await signaturesByVersion(repo, id);
  const versions: NoteVersion[] = [];
  for (const { versionId, lastUpdated, note } of stored) {
    const authors = (note.author ?? []) as Json[];
    const last = authors[authors.length - 1];
    const out: NoteVersion = {
      versionId: String(versionId), status: note.status, lastUpdated, title: note.title ?? '',
      author: last?.display ?? last?.reference ?? '',
    };
    const provenance = byTarget.get(`Composition/${id}/_history/${versionId}`);
    const jws = (provenance?.signature as Json[] | undefined)?.find((s) => s.sigFormat === 'application/jose')?.data;
    if (typeof jws === 'string') {
      const result = await signatures.verify(note as Resource, Buffer.from(jws, 'base64').toString());
      out.signature = { verified: result.verified, signer: result.signer ?? '', when: result.when ?? '' };
    }
    const reason = (provenance?.reason as Json[] | undefined)?.[0]?.text;
    if (typeof reason === 'string') out.amendmentReason = reason;
    versions.push(out);
  }
  return { versions, note: current.json!, provenances: all };
}
