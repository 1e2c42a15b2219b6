// The shapes the imaging library passes between its parts: what parsing an instance yields (parse.ts),
// what the study index keeps (storage/study-index.ts) and what the FHIR mapping reads (imaging-study.ts).
// DICOM attribute names follow PS3.6; UIDs are plain dotted strings (no urn:oid: prefix).

/** One frame's bytes inside the stored file: a list of [offset, length] ranges to concatenate. */
export type FrameRanges = ReadonlyArray<readonly [offset: number, length: number]>;

/**
 * Where the pixel data lies in the stored file (PS3.5 §8.2 native, §A.4 encapsulated).
 * `inStoredBytes: false` means the offsets refer to the inflated dataset of a Deflated Explicit VR
 * Little Endian file (PS3.5 §A.5), so frames must be taken from a re-parse of the file.
 */
export interface PixelLayout {
  encapsulated: boolean;
  inStoredBytes: boolean;
  /** Native pixel data of a big-endian transfer syntax: frames need byte swapping for little-endian answers. */
  bigEndian: boolean;
  /** One entry per frame, in frame order. */
  frames: FrameRanges[];
  /** 1-bit frames that do not fill whole bytes (PS3.5 §8.1.1): each frame's bits start at frame × this. */
  bitsPerFrame?: number;
  /** Bits Allocated of big-endian native data, which decides the byte swap (16, 32 or 64). */
  bitsAllocated?: number;
}

/** Attributes of an instance the index and QIDO need without reading the file again. */
export interface ParsedInstance {
  transferSyntaxUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** Specific Character Set (0008,0005) as written, e.g. "ISO_IR 192"; text below is already decoded. */
  specificCharacterSet?: string;
  patient: {
    id?: string;
    /** PN in DICOM form (family^given^middle^prefix^suffix, '=' between representations). */
    name?: string;
    issuerOfPatientId?: string;
    /** DA, YYYYMMDD. */
    birthDate?: string;
    sex?: string;
  };
  study: {
    /** DA, YYYYMMDD. */
    date?: string;
    /** TM, HHMMSS.FFFFFF (any prefix). */
    time?: string;
    accessionNumber?: string;
    description?: string;
    studyId?: string;
    referringPhysicianName?: string;
  };
  series: {
    modality?: string;
    number?: number;
    description?: string;
    bodyPartExamined?: string;
    date?: string;
    time?: string;
  };
  instance: {
    number?: number;
    rows?: number;
    columns?: number;
    /** 1 for a single-frame image, 0 when there is no pixel data. */
    numberOfFrames: number;
    bitsAllocated?: number;
    photometricInterpretation?: string;
    /** Frame Time (0018,1063) in ms, for cine. */
    frameTimeMs?: number;
  };
  /** Absent when the instance has no pixel data (SR, waveforms, RT plans). */
  pixels?: PixelLayout;
  /**
   * The whole dataset in the DICOM JSON model (PS3.18 §F.2) without the File Meta group, Pixel Data
   * and other large binary values: those carry `{"vr": .., "BulkDataURI": "{{bulk}}/<tag>"}` where
   * the server substitutes `{{bulk}}` with the instance's bulk-data base URL when it answers.
   */
  metadata: Record<string, unknown>;
}

/** An instance as the index keeps it. */
export interface IndexedInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  instanceNumber?: number;
  numberOfFrames: number;
  transferSyntaxUid: string;
  rows?: number;
  columns?: number;
}

export interface IndexedSeries {
  seriesInstanceUid: string;
  modality?: string;
  seriesNumber?: number;
  description?: string;
  bodyPartExamined?: string;
  /** ISO date-time of the series' first acquisition, when known. */
  started?: string;
  instances: IndexedInstance[];
}

/** A whole study as the index holds it: what ImagingStudy is built from. */
export interface IndexedStudy {
  studyInstanceUid: string;
  patientId?: string;
  issuerOfPatientId?: string;
  patientName?: string;
  patientBirthDate?: string;
  patientSex?: string;
  accessionNumber?: string;
  description?: string;
  studyId?: string;
  referringPhysicianName?: string;
  /** ISO date-time from StudyDate/StudyTime (in the hospital's time zone when no offset is given). */
  started?: string;
  modalities: string[];
  series: IndexedSeries[];
}
