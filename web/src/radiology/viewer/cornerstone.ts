// Cornerstone set up once per page: the WADO image loader (its web workers and wasm codecs come in
// its own bundle), cornerstone-tools with its external libraries, and the image ids of instances.
//
// Image ids use WADO-URI (`wadouri:`, PS3.18 §9), not WADO-RS frames: the loader then holds the whole
// Part 10 object and parses it with dicom-parser, so it sees everything a file can carry — deflated
// data sets (inflated with its bundled pako), big-endian pixel data (swapped by its own decoder),
// palette color LUT data, YBR photometric interpretations, 1-bit and float (7FE0,0008) pixel data,
// multi-frame files (one download, `&frame=` chooses the frame, 0-based, without a request of its
// own). WADO-RS frames would leave those to the /metadata answer, where LUT data and float pixel
// data are bulk data and the big-endian and deflate cases have no frame form the loader decodes.
import cornerstone from 'cornerstone-core';
import cornerstoneTools from 'cornerstone-tools';
import cornerstoneMath from 'cornerstone-math';
import Hammer from 'hammerjs';
import dicomParser from 'dicom-parser';
import wadoImageLoader from 'cornerstone-wado-image-loader';
import { refreshSession, session } from '../../shared/http.ts';

let ready = false;

export function initCornerstone(): void {
  if (ready) return;
  ready = true;
  wadoImageLoader.external.cornerstone = cornerstone;
  wadoImageLoader.external.dicomParser = dicomParser;
  wadoImageLoader.configure({
    // The staff access token on every image request (the server checks role and audits the read).
    beforeSend: (): Record<string, string> => {
      const token = session.get().token;
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  });
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2;
  wadoImageLoader.webWorkerManager.initialize({
    maxWebWorkers: Math.max(1, Math.min(4, cores - 1)),
    startWebWorkersOnDemand: true,
    taskConfiguration: { decodeTask: { initializeCodecsOnStartup: false, strict: false } },
  });
  cornerstoneTools.external.cornerstone = cornerstone;
  cornerstoneTools.external.cornerstoneMath = cornerstoneMath;
  cornerstoneTools.external.Hammer = Hammer;
  cornerstoneTools.init({ showSVGCursors: false, globalToolSyncEnabled: false });
  // A 600-slice CT of 512×512×2 bytes is ~300 MB decoded; keep one such study.
  cornerstone.imageCache.setMaximumSizeBytes(512 * 1024 * 1024);
  cornerstoneTools.stackPrefetch.setConfiguration({ maxImagesToPrefetch: Infinity, preserveExistingPool: false, maxSimultaneousRequests: 6 });
}

/** Seconds until the access token (a JWT) expires; undefined when it cannot be read. */
function tokenSecondsLeft(token: string): number | undefined {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return payload.exp === undefined ? undefined : payload.exp - Date.now() / 1000;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the access token fresh while the viewer is open: the image loader sends it with every request
 * (prefetch included) and cannot refresh it on a 401 the way the app's own requests do. Returns a stop function.
 */
export function keepSessionFresh(): () => void {
  const check = () => {
    const token = session.get().token;
    const left = token ? tokenSecondsLeft(token) : undefined;
    if (left !== undefined && left < 120) void refreshSession();
  };
  check();
  const timer = setInterval(check, 30_000);
  return () => clearInterval(timer);
}

export interface InstanceRef { studyUid: string; seriesUid: string; sopUid: string; frames: number }

/** WADO-URI of an instance (PS3.18 §9.1), the whole Part 10 file as stored. */
export function wadoUri({ studyUid, seriesUid, sopUid }: InstanceRef): string {
  const q = encodeURIComponent;
  return `${location.origin}/dicomweb/wado?requestType=WADO&studyUID=${q(studyUid)}&seriesUID=${q(seriesUid)}`
    + `&objectUID=${q(sopUid)}&contentType=${q('application/dicom')}`;
}

/** The image ids of an instance: one per frame; `frame=` must come last (the loader strips it from the URL). */
export function imageIdsOf(instance: InstanceRef): string[] {
  const uri = `wadouri:${wadoUri(instance)}`;
  if (instance.frames <= 1) return [uri];
  return Array.from({ length: instance.frames }, (_, i) => `${uri}&frame=${i}`);
}

/** What a failed load says. The loader rejects with plain objects (an XMLHttpRequest, { error }) as often as with Errors. */
export function loadErrorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object') {
    const e = error as { status?: number; statusText?: string; error?: unknown; message?: unknown; exception?: unknown };
    if (typeof e.status === 'number' && e.status !== 200) return `HTTP ${e.status}${e.statusText ? ` ${e.statusText}` : ''}`;
    if (typeof e.message === 'string') return e.message;
    if (e.error !== undefined) return loadErrorText(e.error);
    if (e.exception !== undefined) return loadErrorText(e.exception);
  }
  if (typeof error === 'string') return error;
  try { return JSON.stringify(error); } catch { return String(error); }
}

/** Transfer syntaxes the bundled codecs cannot decode (PS3.5 §A): a message instead of a broken image. */
export const undecodableSyntaxes: Record<string, string> = {
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.4.100': 'MPEG2',
  '1.2.840.10008.1.2.4.101': 'MPEG2',
  '1.2.840.10008.1.2.4.102': 'MPEG-4',
  '1.2.840.10008.1.2.4.103': 'MPEG-4',
  '1.2.840.10008.1.2.4.104': 'MPEG-4',
  '1.2.840.10008.1.2.4.105': 'MPEG-4',
  '1.2.840.10008.1.2.4.106': 'MPEG-4',
  '1.2.840.10008.1.2.4.107': 'HEVC',
  '1.2.840.10008.1.2.4.108': 'HEVC',
};

export { cornerstone, cornerstoneTools };
