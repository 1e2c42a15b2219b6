// Upload of DICOM files or a whole folder (webkitdirectory) with STOW-RS, in batches so one request
// stays small and progress moves; each file ends as stored or failed with the server's reason
// (Failure Reason, PS3.18 §10.5.3 / PS3.4 Annex GG).
import { useId, useState } from 'react';
import { useI18n, type MessageKey } from '../shared/i18n/index.tsx';
import { stow } from './api.ts';
import { batches } from './stow-batches.ts';

type Outcome = { name: string; state: 'waiting' | 'stored' | 'failed'; reason?: string };

const reasonKey: Record<number, MessageKey> = {
  0xC000: 'upload.reason.cannotUnderstand', 0xA900: 'upload.reason.mismatch', 0x0122: 'upload.reason.sopClass',
  0xA700: 'upload.reason.resources', 0xC122: 'upload.reason.transferSyntax', 0x0110: 'upload.reason.processing',
  0x0111: 'upload.reason.duplicate', 0xB000: 'upload.reason.coercion',
};


export function Upload() {
  const { t } = useI18n();
  const ids = { files: useId(), folder: useId() };
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [progress, setProgress] = useState({ sent: 0, total: 0 });
  const [busy, setBusy] = useState(false);

  const reasonText = (code: number | undefined) => code === undefined ? t('upload.reason.unknown')
    : `${reasonKey[code] ? t(reasonKey[code]!) : t('upload.reason.other')} (0x${code.toString(16).toUpperCase().padStart(4, '0')})`;

  async function send(list: FileList | null) {
    if (!list || list.length === 0) return;
    const files = [...list].filter((f) => !f.name.startsWith('.'));
    const results: Outcome[] = files.map((f) => ({ name: f.webkitRelativePath || f.name, state: 'waiting' }));
    setOutcomes([...results]);
    setBusy(true);
    const total = files.reduce((sum, f) => sum + f.size, 0);
    let done = 0;
    setProgress({ sent: 0, total });
    let index = 0;
    for (const batch of batches(files)) {
      const start = index;
      index += batch.length;
      const positions = batch.map((_, i) => start + i);
      try {
        const answer = await stow(batch, (sent) => setProgress({ sent: done + sent, total }));
        // The answer names instances, not files: each file's SOP Instance UID matches them up.
        const uids = answer.stored.length + answer.failed.length > 0 ? await Promise.all(batch.map(sopInstanceUidOf)) : [];
        const storedUids = new Set(answer.stored.map((s) => s.sopInstanceUid));
        const failedByUid = new Map(answer.failed.filter((f) => f.sopInstanceUid).map((f) => [f.sopInstanceUid, reasonText(f.reason)]));
        // Failures without a UID (the server could not read one) go to the files we could not read either, in order.
        const anonymous = answer.failed.filter((f) => !f.sopInstanceUid).map((f) => reasonText(f.reason));
        positions.forEach((p, i) => {
          const uid = uids[i];
          if (uid && failedByUid.has(uid)) results[p] = { ...results[p]!, state: 'failed', reason: failedByUid.get(uid) };
          else if ((uid && storedUids.has(uid)) || (answer.status === 200 && answer.failed.length === 0)) results[p] = { ...results[p]!, state: 'stored' };
          else results[p] = { ...results[p]!, state: 'failed', reason: anonymous.shift() ?? answer.message ?? `HTTP ${answer.status}` };
        });
      } catch (err) {
        for (const p of positions) results[p] = { ...results[p]!, state: 'failed', reason: (err as Error).message };
      }
      done += batch.reduce((sum, f) => sum + f.size, 0);
      setProgress({ sent: done, total });
      setOutcomes([...results]);
    }
    setBusy(false);
  }

  const stored = outcomes.filter((o) => o.state === 'stored').length;
  const failed = outcomes.filter((o) => o.state === 'failed').length;
  return (
    <section className="upload" aria-labelledby="upload-heading">
      <h2 id="upload-heading">{t('upload.heading')}</h2>
      <div className="form">
        <div className="field">
          <label htmlFor={ids.files}>{t('upload.files')}</label>
          <input id={ids.files} name="files" type="file" multiple disabled={busy} onChange={(e) => { void send(e.target.files); e.target.value = ''; }} />
        </div>
        <div className="field">
          <label htmlFor={ids.folder}>{t('upload.folder')}</label>
          <input id={ids.folder} name="folder" type="file" multiple disabled={busy}
            ref={(el) => { if (el) { el.setAttribute('webkitdirectory', ''); el.setAttribute('directory', ''); } }}
            onChange={(e) => { void send(e.target.files); e.target.value = ''; }} />
        </div>
      </div>
      {progress.total > 0 ? (
        <div className="upload-progress">
          <progress max={progress.total} value={progress.sent} aria-label={t('upload.progress')} />
          <p role="status" data-testid="upload-summary">{t('upload.summary', { stored, failed, total: outcomes.length })}</p>
        </div>
      ) : null}
      {outcomes.length > 0 ? (
        <ul className="upload-results" data-testid="upload-results">
          {outcomes.map((o, i) => (
            <li key={i} data-state={o.state} data-file={o.name}>
              <span>{o.name}</span> — <span>{t(`upload.state.${o.state}` as MessageKey)}</span>{o.reason ? <span className="error">: {o.reason}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** SOP Instance UID (0008,0018) of a Part 10 file, read with dicom-parser up to the pixel data. */
async function sopInstanceUidOf(file: File): Promise<string | undefined> {
  const { default: dicomParser } = await import('dicom-parser');
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return (dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' }).string('x00080018') as string | undefined)?.trim();
  } catch {
    return undefined;
  }
}
