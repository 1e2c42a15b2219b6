// The study / series / instance index in PostgreSQL (PGlite or a server: the same SQL). Written in the
// transaction that stores instances; read by QIDO-RS, WADO-RS and the FHIR ImagingStudy mapping.
import { fileURLToPath } from 'node:url';
import { migrate, type Database, type Queryable } from '../../fhir/index.ts';
import type { IndexedStudy, ParsedInstance, PixelLayout } from '../types.ts';
import { dicomDateTime } from '../dicom/date-time.ts';

export const imagingMigrations = { directory: fileURLToPath(new URL('./migrations/', import.meta.url)), namespace: 'imaging' };

/** What the index keeps of a stored instance to find and serve it. */
export interface InstanceLocation {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  blobKey: string;
  size: number;
  numberOfFrames: number;
  pixelLayout?: PixelLayout;
}

interface InstanceRow {
  study_uid: string; series_uid: string; sop_instance_uid: string; sop_class_uid: string; transfer_syntax_uid: string;
  blob_key: string; size: string | number; number_of_frames: number; pixel_layout: string | null;
}

function location(row: InstanceRow): InstanceLocation {
  return {
    studyUid: row.study_uid, seriesUid: row.series_uid, sopInstanceUid: row.sop_instance_uid, sopClassUid: row.sop_class_uid,
    transferSyntaxUid: row.transfer_syntax_uid, blobKey: row.blob_key, size: Number(row.size), numberOfFrames: row.number_of_frames,
    pixelLayout: row.pixel_layout ? JSON.parse(row.pixel_layout) as PixelLayout : undefined,
  };
}

/** PN groups (alphabetic=ideographic=phonetic, PS3.5 §6.2.1) upper-cased for matching. */
export function nameGroups(name: string | undefined): string[] {
  if (!name) return [];
  return name.split('=').map((g) => g.trim().toUpperCase()).filter((g) => g !== '');
}

const instanceColumns = 'study_uid, series_uid, sop_instance_uid, sop_class_uid, transfer_syntax_uid, blob_key, size, number_of_frames, pixel_layout';

export class StudyIndex {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  static async open(db: Database): Promise<StudyIndex> {
    await migrate(db, imagingMigrations);
    return new StudyIndex(db);
  }

  get db(): Database {
    return this.#db;
  }

  /** The stored instance of a SOP Instance UID, with its blob key, if any. */
  async existing(tx: Queryable, sopInstanceUids: string[]): Promise<Map<string, InstanceLocation>> {
    if (sopInstanceUids.length === 0) return new Map();
    const { rows } = await tx.query<InstanceRow>(`SELECT ${instanceColumns} FROM dicom_instance WHERE sop_instance_uid = ANY($1::text[])`, [sopInstanceUids]);
    return new Map(rows.map((r) => [r.sop_instance_uid, location(r)]));
  }

  /**
   * Adds instances (new ones only: a SOP Instance UID already indexed keeps its first object) and
   * refreshes the study and series rows and counts they belong to. Returns the UIDs it added.
   */
  async add(tx: Queryable, instances: { parsed: ParsedInstance; blobKey: string; size: number }[]): Promise<Set<string>> {
    const added = new Set<string>();
    const studies = new Map<string, ParsedInstance>();
    const series = new Map<string, ParsedInstance>();
    for (const { parsed } of instances) {
      if (!studies.has(parsed.studyInstanceUid)) studies.set(parsed.studyInstanceUid, parsed);
      if (!series.has(parsed.seriesInstanceUid)) series.set(parsed.seriesInstanceUid, parsed);
    }
    for (const p of studies.values()) {
      // The first instance of a study names its patient and study attributes; later ones only add.
      await tx.query(
        `INSERT INTO dicom_study (study_uid, patient_id, issuer_of_patient_id, patient_name, patient_name_groups, patient_birth_date,
           patient_sex, study_date, study_time, accession_number, study_description, study_id, referring_physician_name)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (study_uid) DO NOTHING`,
        [p.studyInstanceUid, p.patient.id ?? null, p.patient.issuerOfPatientId ?? null, p.patient.name ?? null, nameGroups(p.patient.name),
          p.patient.birthDate ?? null, p.patient.sex ?? null, p.study.date ?? null, p.study.time ?? null, p.study.accessionNumber ?? null,
          p.study.description ?? null, p.study.studyId ?? null, p.study.referringPhysicianName ?? null],
      );
    }
    for (const p of series.values()) {
      await tx.query(
        `INSERT INTO dicom_series (series_uid, study_uid, modality, series_number, series_description, body_part_examined, series_date, series_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (series_uid) DO NOTHING`,
        [p.seriesInstanceUid, p.studyInstanceUid, p.series.modality ?? null, p.series.number ?? null, p.series.description ?? null,
          p.series.bodyPartExamined ?? null, p.series.date ?? null, p.series.time ?? null],
      );
    }
    // One statement for the whole batch: a STOW of many instances is one round trip here.
    const column = <T>(f: (i: { parsed: ParsedInstance; blobKey: string; size: number }) => T) => instances.map(f);
    const { rows } = await tx.query<{ sop_instance_uid: string }>(
      `INSERT INTO dicom_instance (sop_instance_uid, series_uid, study_uid, sop_class_uid, instance_number, number_of_frames, rows, columns,
         transfer_syntax_uid, blob_key, size, pixel_layout, metadata)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::int[],
         $9::text[], $10::text[], $11::bigint[], $12::text[], $13::text[])
       ON CONFLICT (sop_instance_uid) DO NOTHING RETURNING sop_instance_uid`,
      [column((i) => i.parsed.sopInstanceUid), column((i) => i.parsed.seriesInstanceUid), column((i) => i.parsed.studyInstanceUid),
        column((i) => i.parsed.sopClassUid), column((i) => i.parsed.instance.number ?? null), column((i) => i.parsed.instance.numberOfFrames),
        column((i) => i.parsed.instance.rows ?? null), column((i) => i.parsed.instance.columns ?? null), column((i) => i.parsed.transferSyntaxUid),
        column((i) => i.blobKey), column((i) => i.size), column((i) => (i.parsed.pixels ? JSON.stringify(i.parsed.pixels) : null)),
        column((i) => JSON.stringify(i.parsed.metadata))],
    );
    for (const r of rows) added.add(r.sop_instance_uid);
    if (added.size > 0) {
      // Counts grow by what was added (no recount of a 600-instance series per store).
      const perSeries = new Map<string, number>();
      const perStudy = new Map<string, number>();
      for (const { parsed: p } of instances) {
        if (!added.has(p.sopInstanceUid)) continue;
        perSeries.set(p.seriesInstanceUid, (perSeries.get(p.seriesInstanceUid) ?? 0) + 1);
        perStudy.set(p.studyInstanceUid, (perStudy.get(p.studyInstanceUid) ?? 0) + 1);
      }
      await tx.query(
        `UPDATE dicom_series s SET instance_count = s.instance_count + c.n
         FROM unnest($1::text[], $2::int[]) AS c(uid, n) WHERE s.series_uid = c.uid`,
        [[...perSeries.keys()], [...perSeries.values()]]);
      await tx.query(
        `UPDATE dicom_study st SET
           instance_count = st.instance_count + c.n,
           series_count = (SELECT count(*) FROM dicom_series s WHERE s.study_uid = st.study_uid),
           modalities = COALESCE((SELECT array_agg(DISTINCT s.modality ORDER BY s.modality) FROM dicom_series s
                                  WHERE s.study_uid = st.study_uid AND s.modality IS NOT NULL), '{}'),
           updated_at = now()
         FROM unnest($1::text[], $2::int[]) AS c(uid, n) WHERE st.study_uid = c.uid`,
        [[...perStudy.keys()], [...perStudy.values()]]);
    }
    return added;
  }

  async instance(studyUid: string, seriesUid: string | undefined, sopInstanceUid: string): Promise<InstanceLocation | undefined> {
    const { rows } = await this.#db.query<InstanceRow>(
      `SELECT ${instanceColumns} FROM dicom_instance WHERE sop_instance_uid = $1 AND study_uid = $2 AND ($3::text IS NULL OR series_uid = $3)`,
      [sopInstanceUid, studyUid, seriesUid ?? null]);
    return rows[0] ? location(rows[0]) : undefined;
  }

  /** Instances of a study, series or single instance, in series then instance order. */
  async instances(studyUid: string, seriesUid?: string, sopInstanceUid?: string): Promise<InstanceLocation[]> {
    const { rows } = await this.#db.query<InstanceRow>(
      `SELECT i.study_uid, i.series_uid, i.sop_instance_uid, i.sop_class_uid, i.transfer_syntax_uid, i.blob_key, i.size, i.number_of_frames, i.pixel_layout
       FROM dicom_instance i JOIN dicom_series s ON s.series_uid = i.series_uid
       WHERE i.study_uid = $1 AND ($2::text IS NULL OR i.series_uid = $2) AND ($3::text IS NULL OR i.sop_instance_uid = $3)
       ORDER BY s.series_number NULLS LAST, i.series_uid, i.instance_number NULLS LAST, i.sop_instance_uid`,
      [studyUid, seriesUid ?? null, sopInstanceUid ?? null]);
    return rows.map(location);
  }

  /**
   * The stored DICOM JSON of the instances asked for, as one JSON array text with each instance's
   * `{{bulk}}` replaced by `bulkBase(row)`: one query and string joins, however many instances.
   */
  async metadata(studyUid: string, seriesUid: string | undefined, sopInstanceUid: string | undefined, bulkBase: (series: string, instance: string) => string): Promise<string | undefined> {
    const { rows } = await this.#db.query<{ series_uid: string; sop_instance_uid: string; metadata: string }>(
      `SELECT i.series_uid, i.sop_instance_uid, i.metadata
       FROM dicom_instance i JOIN dicom_series s ON s.series_uid = i.series_uid
       WHERE i.study_uid = $1 AND ($2::text IS NULL OR i.series_uid = $2) AND ($3::text IS NULL OR i.sop_instance_uid = $3)
       ORDER BY s.series_number NULLS LAST, i.series_uid, i.instance_number NULLS LAST, i.sop_instance_uid`,
      [studyUid, seriesUid ?? null, sopInstanceUid ?? null]);
    if (rows.length === 0) return undefined;
    return `[${rows.map((r) => r.metadata.replaceAll('{{bulk}}', bulkBase(r.series_uid, r.sop_instance_uid))).join(',')}]`;
  }

  /** A whole study for the FHIR mapping. */
  async study(studyInstanceUid: string, timezone = 'UTC'): Promise<IndexedStudy | undefined> {
    const { rows } = await this.#db.query<Record<string, unknown>>('SELECT * FROM dicom_study WHERE study_uid = $1', [studyInstanceUid]);
    const s = rows[0];
    if (!s) return undefined;
    const series = await this.#db.query<Record<string, unknown>>(
      'SELECT * FROM dicom_series WHERE study_uid = $1 ORDER BY series_number NULLS LAST, series_uid', [studyInstanceUid]);
    const instances = await this.#db.query<Record<string, unknown>>(
      `SELECT series_uid, sop_instance_uid, sop_class_uid, instance_number, number_of_frames, transfer_syntax_uid, rows, columns
       FROM dicom_instance WHERE study_uid = $1 ORDER BY instance_number NULLS LAST, sop_instance_uid`, [studyInstanceUid]);
    const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
    const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
    return {
      studyInstanceUid,
      patientId: str(s.patient_id),
      issuerOfPatientId: str(s.issuer_of_patient_id),
      patientName: str(s.patient_name),
      patientBirthDate: str(s.patient_birth_date),
      patientSex: str(s.patient_sex),
      accessionNumber: str(s.accession_number),
      description: str(s.study_description),
      studyId: str(s.study_id),
      referringPhysicianName: str(s.referring_physician_name),
      started: dicomDateTime(str(s.study_date), str(s.study_time), timezone),
      modalities: (s.modalities as string[]) ?? [],
      series: series.rows.map((se) => ({
        seriesInstanceUid: String(se.series_uid),
        modality: str(se.modality),
        seriesNumber: num(se.series_number),
        description: str(se.series_description),
        bodyPartExamined: str(se.body_part_examined),
        started: dicomDateTime(str(se.series_date), str(se.series_time), timezone),
        instances: instances.rows.filter((i) => i.series_uid === se.series_uid).map((i) => ({
          sopInstanceUid: String(i.sop_instance_uid),
          sopClassUid: String(i.sop_class_uid),
          instanceNumber: num(i.instance_number),
          numberOfFrames: Number(i.number_of_frames),
          transferSyntaxUid: String(i.transfer_syntax_uid),
          rows: num(i.rows),
          columns: num(i.columns),
        })),
      })),
    };
  }

  /** Whether a blob key is still referenced (a blob written for a duplicate may then be removed). */
  async blobInUse(key: string): Promise<boolean> {
    const { rows } = await this.#db.query('SELECT 1 FROM dicom_instance WHERE blob_key = $1 LIMIT 1', [key]);
    return rows.length > 0;
  }
}
