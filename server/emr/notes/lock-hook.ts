// A signed note is locked (电子病历应用管理规范: a signed record is corrected by an amendment that
// keeps the original, never edited in place). The rule holds however the Composition is written —
// PUT, PATCH, DELETE, a transaction Bundle, an import — because it runs inside the writing
// transaction (fhir/storage/write-hooks.ts). The one way past it is what $amend writes: a new
// version with status amended together with a Provenance whose server-held signature verifies
// against exactly that version, which no client can forge.
import type { Resource, WriteChange, WriteHook } from '../../../fhir/index.ts';
import type { Queryable } from '../../../fhir/index.ts';
import type { Signatures } from '../../signing/signatures.ts';
import { emrError } from '../errors.ts';
import { signedStatuses } from './sign.ts';

interface Json { [key: string]: any }

/** Whether a Provenance written alongside signs this amended version (target, content and key all check). */
async function signedAmendment(after: Json, provenances: Json[], signatures: Signatures, tx: Queryable): Promise<boolean> {
  if (after.status !== 'amended') return false;
  const target = `Composition/${after.id}/_history/${after.meta?.versionId}`;
  for (const provenance of provenances) {
    if (!(provenance.target as Json[] | undefined)?.some((t) => t.reference === target)) continue;
    for (const signature of (provenance.signature ?? []) as Json[]) {
      if (signature.sigFormat !== 'application/jose' || typeof signature.data !== 'string') continue;
      const result = await signatures.verify(after as Resource, Buffer.from(signature.data, 'base64').toString(), tx);
      if (result.verified && result.ref === target) return true;
    }
  }
  return false;
}

export function noteLockHook(signatures: Signatures): WriteHook {
  return {
    // Provenance too: the signature of an amendment is written in the same transaction, and seen here.
    types: ['Composition', 'Provenance'],
    async beforeCommit(changes: readonly WriteChange[], { tx }) {
      const provenances = changes.filter((c) => c.resourceType === 'Provenance' && c.after).map((c) => JSON.parse(c.after!) as Json);
      for (const change of changes) {
        if (change.resourceType !== 'Composition' || !change.before) continue;
        const before = JSON.parse(change.before) as Json;
        if (!signedStatuses.has(before.status)) continue;
        if (change.after && await signedAmendment(JSON.parse(change.after) as Json, provenances, signatures, tx)) continue;
        throw emrError('note-signed', `Composition/${change.id} is signed: it is corrected by Composition/${change.id}/$amend, not changed in place`);
      }
    },
  };
}
