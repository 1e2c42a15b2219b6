// A study as the viewer shows it: one WADO-RS study metadata request (PS3.18 §10.4.1.1.2; one round
// trip, where QIDO series + metadata per series would take two), its instances grouped by series in
// Instance Number order (PS3.3 C.7.6.1), and the stack of image ids they make (one per frame).
// Instances without pixel data (SR, waveforms, RT plans) are left out of the stacks.
import { dicomNumber, dicomString, dicomweb, type DicomJson } from '../api.ts';
import { imageIdsOf, type InstanceRef } from './cornerstone.ts';

export interface StackImage { seriesInstanceUid: string; sopInstanceUid: string; frame?: number }

export interface SeriesStack {
  seriesUid: string;
  number?: number;
  modality?: string;
  description?: string;
  imageIds: string[];
  /** imageId → instance and frame (0-based) it shows. */
  images: Map<string, StackImage>;
  /** Milliseconds between frames: Frame Time (0018,1063), else from Cine Rate (0018,0040), else undefined. */
  frameTime?: number;
  multiFrame: boolean;
  transferSyntaxes: string[];
}

export interface StudyView {
  studyUid: string;
  patientName?: string;
  patientId?: string;
  studyDate?: string;
  studyDescription?: string;
  accession?: string;
  series: SeriesStack[];
}

// Pixel Data, Float and Double Float Pixel Data (PS3.3 C.7.6.3): attributes an image instance has.
const pixelTags = ['7FE00010', '7FE00008', '7FE00009'];
// SOP classes that hold no image even if a tool puts pixel-sized attributes in them.
const imageless = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(88\.|9\.|481\.[2-9]|11\.)/;

function hasImage(instance: DicomJson): boolean {
  if (pixelTags.some((tag) => tag in instance)) return true;
  const sopClass = dicomString(instance, '00080016') ?? '';
  if (imageless.test(sopClass)) return false;
  return dicomNumber(instance, '00280010') !== undefined && dicomNumber(instance, '00280011') !== undefined;
}

export async function loadStudy(studyUid: string): Promise<StudyView> {
  const all = (await dicomweb.studyMetadata(studyUid)) ?? [];
  const bySeries = new Map<string, DicomJson[]>();
  for (const instance of all) {
    const seriesUid = dicomString(instance, '0020000E') ?? '';
    bySeries.set(seriesUid, [...(bySeries.get(seriesUid) ?? []), instance]);
  }
  const first = all[0] ?? {};
  const series: SeriesStack[] = [];
  for (const [seriesUid, members] of bySeries) {
    const instances = members.filter(hasImage).sort((a, b) =>
      (dicomNumber(a, '00200013') ?? 0) - (dicomNumber(b, '00200013') ?? 0));
    if (instances.length === 0) continue;
    const imageIds: string[] = [];
    const images = new Map<string, StackImage>();
    let frameTime: number | undefined;
    const syntaxes = new Set<string>();
    let multiFrame = false;
    for (const instance of instances) {
      const sopUid = dicomString(instance, '00080018') ?? '';
      const frames = dicomNumber(instance, '00280008') ?? 1;
      if (frames > 1) multiFrame = true;
      const ref: InstanceRef = { studyUid, seriesUid, sopUid, frames };
      imageIdsOf(ref).forEach((id, frame) => {
        imageIds.push(id);
        images.set(id, { seriesInstanceUid: seriesUid, sopInstanceUid: sopUid, ...(frames > 1 ? { frame } : {}) });
      });
      const time = dicomNumber(instance, '00181063');
      const cineRate = dicomNumber(instance, '00180040');
      frameTime ??= time && time > 0 ? time : cineRate && cineRate > 0 ? 1000 / cineRate : undefined;
      const syntax = dicomString(instance, '00020010') ?? dicomString(instance, '00083002');
      if (syntax) syntaxes.add(syntax);
    }
    const head = instances[0]!;
    series.push({
      seriesUid,
      number: dicomNumber(head, '00200011'),
      modality: dicomString(head, '00080060'),
      description: dicomString(head, '0008103E'),
      imageIds, images, frameTime, multiFrame, transferSyntaxes: [...syntaxes],
    });
  }
  series.sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
  return {
    studyUid,
    patientName: dicomString(first, '00100010'),
    patientId: dicomString(first, '00100020'),
    studyDate: dicomString(first, '00080020'),
    studyDescription: dicomString(first, '00081030'),
    accession: dicomString(first, '00080050'),
    series,
  };
}

/** DICOM DA (YYYYMMDD) as YYYY-MM-DD. */
export const dicomDate = (da: string | undefined): string | undefined =>
  da && /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : da;

/** Person Name (PS3.5 §6.2): components separated by ^, shown with spaces. */
export const personName = (pn: string | undefined): string | undefined => pn?.replace(/\^+/g, ' ').trim();
