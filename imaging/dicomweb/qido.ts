// QIDO-RS (PS3.18 §10.6): a parsed query compiled to one SQL statement over the study index, answered
// in the DICOM JSON model with the default attributes of PS3.18 Table 10.6.3-3 / -4 / -5.
import type { Database } from '../../fhir/index.ts';
import type { DicomJson, DicomJsonAttribute } from '../dicom/dicom-json.ts';
import type { MatchKey, QidoQuery } from './qido-parse.ts';

/** Index columns of the attributes QIDO matches on; `pn` columns match case-insensitively by name group. */
const columns: Record<string, { column: string; level: 'study' | 'series' | 'instance'; pn?: boolean; array?: boolean; int?: boolean }> = {
  '0020000D': { column: 'st.study_uid', level: 'study' },
  '00100020': { column: 'st.patient_id', level: 'study' },
  '00100021': { column: 'st.issuer_of_patient_id', level: 'study' },
  '00100010': { column: 'st.patient_name_groups', level: 'study', pn: true },
  '00100030': { column: 'st.patient_birth_date', level: 'study' },
  '00100040': { column: 'st.patient_sex', level: 'study' },
  '00080020': { column: 'st.study_date', level: 'study' },
  '00080030': { column: 'st.study_time', level: 'study' },
  '00080050': { column: 'st.accession_number', level: 'study' },
  '00081030': { column: 'st.study_description', level: 'study' },
  '00200010': { column: 'st.study_id', level: 'study' },
  '00080090': { column: 'st.referring_physician_name', level: 'study' },
  '00080061': { column: 'st.modalities', level: 'study', array: true },
  '0020000E': { column: 'se.series_uid', level: 'series' },
  '00080060': { column: 'se.modality', level: 'series' },
  '00200011': { column: 'se.series_number', level: 'series', int: true },
  '0008103E': { column: 'se.series_description', level: 'series' },
  '00180015': { column: 'se.body_part_examined', level: 'series' },
  '00080021': { column: 'se.series_date', level: 'series' },
  '00400244': { column: 'se.series_date', level: 'series' },
  '00080018': { column: 'i.sop_instance_uid', level: 'instance' },
  '00080016': { column: 'i.sop_class_uid', level: 'instance' },
  '00200013': { column: 'i.instance_number', level: 'instance', int: true },
  '00280008': { column: 'i.number_of_frames', level: 'instance', int: true },
  '00280010': { column: 'i.rows', level: 'instance', int: true },
  '00280011': { column: 'i.columns', level: 'instance', int: true },
};

/** PS3.4 §C.2.2.2.4: * matches any run of characters, ? one character; everything else literally. */
export function likePattern(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%').replace(/\?/g, '_');
}

class Sql {
  readonly params: unknown[] = [];
  add(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

function condition(sql: Sql, key: MatchKey, column: string, options: { pn?: boolean; array?: boolean; int?: boolean }): string {
  const m = key.matcher;
  if (m.kind === 'uids') return `${column} = ANY(${sql.add(m.values)}::text[])`;
  if (m.kind === 'number') return options.int ? `${column} = ${sql.add(m.value)}` : `${column} = ${sql.add(String(m.value))}`;
  if (m.kind === 'range') {
    const parts: string[] = [];
    // DA / TM values compare as text of equal form; a range end given as a prefix covers all it starts (PS3.4 §C.2.2.2.5).
    if (m.from !== undefined) parts.push(`${column} >= ${sql.add(m.from)}`);
    if (m.to !== undefined) parts.push(`${column} <= ${sql.add(`${m.to}\uffff`)}`);
    return `(${column} IS NOT NULL AND ${parts.join(' AND ')})`;
  }
  if (options.pn) {
    // PN: case-insensitive, and a name matches when any of its groups (alphabetic, ideographic,
    // phonetic) does; a value without wildcards may also match the family name alone.
    const pattern = m.wildcard ? likePattern(m.value.toUpperCase()) : likePattern(m.value.toUpperCase());
    const prefix = m.wildcard ? '' : ` OR g LIKE ${sql.add(`${likePattern(m.value.toUpperCase())}^%`)}`;
    return `EXISTS (SELECT 1 FROM unnest(${column}) g WHERE g LIKE ${sql.add(pattern)}${prefix})`;
  }
  if (options.array) {
    const values = m.value.split('\\').filter(Boolean);
    return m.wildcard
      ? `EXISTS (SELECT 1 FROM unnest(${column}) v WHERE v LIKE ${sql.add(likePattern(m.value))})`
      : `${column} && ${sql.add(values)}::text[]`;
  }
  if (m.wildcard) return `${column} LIKE ${sql.add(likePattern(m.value))}`;
  // A backslash separates values to match any of (PS3.4 §C.2.2.2.2 list of values for CS and others).
  const values = m.value.split('\\');
  return values.length > 1 ? `${column} = ANY(${sql.add(values)}::text[])` : `${column} = ${sql.add(m.value)}`;
}

/** Attributes the index has no column for: matched on the first value in any instance's stored DICOM JSON. */
function metadataCondition(sql: Sql, key: MatchKey, scope: string): string {
  const value = key.vr === 'PN' ? `(gx.metadata::jsonb -> '${key.tag}' -> 'Value' -> 0 ->> 'Alphabetic')` : `(gx.metadata::jsonb -> '${key.tag}' -> 'Value' ->> 0)`;
  const m = key.matcher;
  let test: string;
  if (m.kind === 'uids') test = `${value} = ANY(${sql.add(m.values)}::text[])`;
  else if (m.kind === 'number') test = `${value} = ${sql.add(String(m.value))}`;
  else if (m.kind === 'range') {
    test = [m.from !== undefined ? `${value} >= ${sql.add(m.from)}` : 'true', m.to !== undefined ? `${value} <= ${sql.add(`${m.to}\uffff`)}` : 'true'].join(' AND ');
  } else test = key.vr === 'PN' ? `upper(${value}) LIKE ${sql.add(likePattern(m.value.toUpperCase()))}` : `${value} LIKE ${sql.add(likePattern(m.value))}`;
  if (!/^[0-9A-F]{8}$/.test(key.tag)) throw new Error('tag');
  return `EXISTS (SELECT 1 FROM dicom_instance gx WHERE ${scope} AND ${test})`;
}

export interface QidoRow {
  [column: string]: unknown;
}

export function compileQido(q: QidoQuery): { text: string; params: unknown[] } {
  const sql = new Sql();
  const where: string[] = [];
  let from: string;
  let order: string;
  let select: string;
  let scope: string;
  if (q.level === 'study') {
    select = 'st.*';
    from = 'dicom_study st';
    order = 'st.study_date DESC NULLS LAST, st.study_time DESC NULLS LAST, st.study_uid';
    scope = 'gx.study_uid = st.study_uid';
  } else if (q.level === 'series') {
    select = 'se.*, st.patient_id, st.patient_name, st.study_date, st.study_time, st.accession_number';
    from = 'dicom_series se JOIN dicom_study st ON st.study_uid = se.study_uid';
    order = 'st.study_date DESC NULLS LAST, se.study_uid, se.series_number NULLS LAST, se.series_uid';
    scope = 'gx.series_uid = se.series_uid';
  } else {
    select = 'i.study_uid, i.series_uid, i.sop_instance_uid, i.sop_class_uid, i.instance_number, i.number_of_frames, i.rows, i.columns, i.transfer_syntax_uid, se.modality, se.series_number';
    from = 'dicom_instance i JOIN dicom_series se ON se.series_uid = i.series_uid JOIN dicom_study st ON st.study_uid = i.study_uid';
    order = 'i.study_uid, se.series_number NULLS LAST, i.series_uid, i.instance_number NULLS LAST, i.sop_instance_uid';
    scope = 'gx.sop_instance_uid = i.sop_instance_uid';
  }
  if (q.studyUid) where.push(`st.study_uid = ${sql.add(q.studyUid)}`);
  if (q.seriesUid) where.push(`se.series_uid = ${sql.add(q.seriesUid)}`);
  for (const key of q.keys) {
    const known = columns[key.tag];
    if (known && (q.level !== 'study' || known.level === 'study')) {
      where.push(condition(sql, key, known.column, known));
    } else if (known && known.level === 'series') {
      // A series attribute in a study query: studies with such a series (relational query, PS3.4 §C.4.1.2.2).
      const inner = condition(sql, key, known.column, known);
      where.push(`EXISTS (SELECT 1 FROM dicom_series se WHERE se.study_uid = st.study_uid AND ${inner})`);
    } else if (known) {
      const inner = condition(sql, key, known.column, known);
      where.push(`EXISTS (SELECT 1 FROM dicom_instance i WHERE i.study_uid = st.study_uid AND ${inner})`);
    } else {
      where.push(metadataCondition(sql, key, scope));
    }
  }
  const text = `SELECT ${select}, count(*) OVER () AS total_count FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${order} LIMIT ${sql.add(q.limit)} OFFSET ${sql.add(q.offset)}`;
  return { text, params: sql.params };
}

function pn(value: unknown): DicomJsonAttribute {
  if (typeof value !== 'string' || value === '') return { vr: 'PN' };
  const [alphabetic, ideographic, phonetic] = value.split('=');
  const name: Record<string, string> = {};
  if (alphabetic) name.Alphabetic = alphabetic;
  if (ideographic) name.Ideographic = ideographic;
  if (phonetic) name.Phonetic = phonetic;
  return { vr: 'PN', Value: [name] };
}

function text(vr: string, value: unknown): DicomJsonAttribute {
  return value === null || value === undefined || value === '' ? { vr } : { vr, Value: [value] };
}

function num(vr: string, value: unknown): DicomJsonAttribute {
  return value === null || value === undefined ? { vr } : { vr, Value: [Number(value)] };
}

export interface QidoAnswer {
  total: number;
  results: DicomJson[];
}

/** Runs a query; include fields the index has no column for come from the stored DICOM JSON of a representative instance. */
export async function runQido(db: Database, q: QidoQuery, baseUrl: string): Promise<QidoAnswer> {
  const { text: sqlText, params } = compileQido(q);
  const { rows } = await db.query<QidoRow>(sqlText, params);
  const total = rows.length > 0 ? Number(rows[0].total_count) : 0;
  const results = rows.map((r) => defaultAttributes(q, r, baseUrl));
  const extraTags = q.includeAll ? undefined : q.includeFields.filter((t) => !(t in (results[0] ?? {})));
  if (rows.length > 0 && (q.includeAll || (extraTags && extraTags.length > 0))) {
    const stored = await representativeMetadata(db, q, rows);
    rows.forEach((r, at) => {
      const meta = stored.get(String(q.level === 'study' ? r.study_uid : q.level === 'series' ? r.series_uid : r.sop_instance_uid));
      if (!meta) return;
      for (const [tag, attribute] of Object.entries(meta)) {
        if (tag in results[at]) continue;
        if ((attribute as DicomJsonAttribute).BulkDataURI) continue;
        if (q.includeAll ? levelOf(tag, q.level) : extraTags!.includes(tag)) results[at][tag] = attribute as DicomJsonAttribute;
      }
    });
  }
  return { total, results: results.map(sortTags) };
}

/** includefield=all at study level returns patient and study attributes, at series level also series ones (by group, as a rule of thumb). */
function levelOf(tag: string, level: string): boolean {
  if (level === 'instance') return true;
  const group = tag.slice(0, 4);
  if (level === 'study') return group === '0010' || ['00080020', '00080030', '00080050', '00080090', '00081030', '00081032', '00081060', '00200010', '0020000D', '00080005', '00080201'].includes(tag);
  return group === '0010' || group === '0008' && !['00080016', '00080018', '00080008', '00080012', '00080013', '00080022', '00080023', '00080032', '00080033'].includes(tag) || ['0020000D', '0020000E', '00200011', '00180015', '00200060', '00400244', '00400245'].includes(tag);
}

async function representativeMetadata(db: Database, q: QidoQuery, rows: QidoRow[]): Promise<Map<string, Record<string, unknown>>> {
  const column = q.level === 'study' ? 'study_uid' : q.level === 'series' ? 'series_uid' : 'sop_instance_uid';
  const keys = rows.map((r) => String(r[column]));
  const { rows: found } = await db.query<{ key: string; metadata: string }>(
    `SELECT DISTINCT ON (${column}) ${column} AS key, metadata FROM dicom_instance WHERE ${column} = ANY($1::text[])
     ORDER BY ${column}, instance_number NULLS LAST, sop_instance_uid`, [keys]);
  return new Map(found.map((f) => [f.key, JSON.parse(f.metadata) as Record<string, unknown>]));
}

function sortTags(o: DicomJson): DicomJson {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function defaultAttributes(q: QidoQuery, r: QidoRow, baseUrl: string): DicomJson {
  const study = String(r.study_uid);
  const studyUrl = `${baseUrl}/studies/${study}`;
  if (q.level === 'study') {
    return {
      '00080020': text('DA', r.study_date),
      '00080030': text('TM', r.study_time),
      '00080050': text('SH', r.accession_number),
      '00080056': { vr: 'CS', Value: ['ONLINE'] },
      '00080061': (r.modalities as string[]).length ? { vr: 'CS', Value: r.modalities as string[] } : { vr: 'CS' },
      '00080090': pn(r.referring_physician_name),
      '00081030': text('LO', r.study_description),
      '00081190': { vr: 'UR', Value: [studyUrl] },
      '00100010': pn(r.patient_name),
      '00100020': text('LO', r.patient_id),
      '00100030': text('DA', r.patient_birth_date),
      '00100040': text('CS', r.patient_sex),
      '0020000D': { vr: 'UI', Value: [study] },
      '00200010': text('SH', r.study_id),
      '00201206': num('IS', r.series_count),
      '00201208': num('IS', r.instance_count),
    };
  }
  const seriesUrl = `${studyUrl}/series/${String(r.series_uid)}`;
  if (q.level === 'series') {
    return {
      '00080060': text('CS', r.modality),
      '0008103E': text('LO', r.series_description),
      '00081190': { vr: 'UR', Value: [seriesUrl] },
      '0020000D': { vr: 'UI', Value: [study] },
      '0020000E': { vr: 'UI', Value: [String(r.series_uid)] },
      '00200011': num('IS', r.series_number),
      '00201209': num('IS', r.instance_count),
      '00400244': text('DA', r.series_date),
      '00400245': text('TM', r.series_time),
    };
  }
  return {
    '00080016': { vr: 'UI', Value: [String(r.sop_class_uid)] },
    '00080018': { vr: 'UI', Value: [String(r.sop_instance_uid)] },
    '00080056': { vr: 'CS', Value: ['ONLINE'] },
    '00080060': text('CS', r.modality),
    '00081190': { vr: 'UR', Value: [`${seriesUrl}/instances/${String(r.sop_instance_uid)}`] },
    '00083002': text('UI', r.transfer_syntax_uid),
    '0020000D': { vr: 'UI', Value: [study] },
    '0020000E': { vr: 'UI', Value: [String(r.series_uid)] },
    '00200011': num('IS', r.series_number),
    '00200013': num('IS', r.instance_number),
    '00280008': r.number_of_frames ? num('IS', r.number_of_frames) : { vr: 'IS' },
    '00280010': num('US', r.rows),
    '00280011': num('US', r.columns),
  };
}
