// Measurements a radiologist keeps with a study: FHIR Observations derived from the ImagingStudy
// (http://hl7.org/fhir/R4/observation.html#derivedFrom), with where they were taken (series, instance,
// frame) and the tool's handles, so the viewer can draw them again.
import { FhirError, type Repository, type Resource } from '../../fhir/index.ts';
import { OPEN_HIS_BASE } from '../seed/systems.ts';

const KINDS = { length: 'Length', angle: 'Angle', ellipse: 'Elliptical ROI', rectangle: 'Rectangle ROI', probe: 'Probe' } as const;
type Kind = keyof typeof KINDS;
const MEASUREMENT_SYSTEM = `${OPEN_HIS_BASE}/CodeSystem/imaging-measurement`;
const LOCATION_EXTENSION = `${OPEN_HIS_BASE}/StructureDefinition/imaging-measurement-location`;
/** UCUM codes of the units the viewer reports. */
const UCUM: Record<string, string> = { mm: 'mm', 'mm²': 'mm2', mm2: 'mm2', '°': 'deg', deg: 'deg', HU: "[hnsf'U]", px: '{px}', '': '1' };

interface Json { [key: string]: any }
export interface Measurement {
  id?: string; kind: Kind; value: number; unit: string; seriesInstanceUid: string; sopInstanceUid: string;
  frame?: number; label?: string; stats?: { mean?: number; sd?: number; area?: number }; handles?: unknown;
}

const uid = /^[0-9.]{1,64}$/;

function check(body: unknown): Measurement {
  const m = (body ?? {}) as Record<string, any>;
  if (!(m.kind in KINDS)) throw new FhirError('invalid-request', `kind is one of ${Object.keys(KINDS).join(', ')}`);
  if (typeof m.value !== 'number' || !Number.isFinite(m.value)) throw new FhirError('invalid-request', 'value is a number');
  if (typeof m.unit !== 'string' || m.unit.length > 16) throw new FhirError('invalid-request', 'unit is a short text such as mm');
  if (typeof m.seriesInstanceUid !== 'string' || !uid.test(m.seriesInstanceUid) || typeof m.sopInstanceUid !== 'string' || !uid.test(m.sopInstanceUid)) {
    throw new FhirError('invalid-request', 'seriesInstanceUid and sopInstanceUid are DICOM UIDs');
  }
  if (m.frame !== undefined && (!Number.isInteger(m.frame) || m.frame < 1)) throw new FhirError('invalid-request', 'frame is a frame number from 1');
  if (m.label !== undefined && (typeof m.label !== 'string' || m.label.length > 200)) throw new FhirError('invalid-request', 'label is a short text');
  const handles = m.handles === undefined ? undefined : JSON.stringify(m.handles);
  if (handles && handles.length > 20_000) throw new FhirError('invalid-request', 'handles are too large');
  const stats: Measurement['stats'] = {};
  for (const key of ['mean', 'sd', 'area'] as const) {
    if (m.stats?.[key] !== undefined) {
      if (typeof m.stats[key] !== 'number' || !Number.isFinite(m.stats[key])) throw new FhirError('invalid-request', `stats.${key} is a number`);
      stats[key] = m.stats[key];
    }
  }
  return { kind: m.kind, value: m.value, unit: m.unit, seriesInstanceUid: m.seriesInstanceUid, sopInstanceUid: m.sopInstanceUid, frame: m.frame, label: m.label, stats, handles: m.handles };
}

function quantity(value: number, unit: string): Json {
  return { value, unit, system: 'http://unitsofmeasure.org', code: UCUM[unit] ?? unit };
}

export async function saveMeasurement(repo: Repository, imagingStudyId: string, body: unknown, author: { practitioner?: string; display: string }): Promise<Measurement> {
  const m = check(body);
  const study = JSON.parse((await repo.read('ImagingStudy', imagingStudyId)).json!) as Json;
  const components: Json[] = [];
  if (m.stats?.mean !== undefined) components.push({ code: { text: 'Mean' }, valueQuantity: quantity(m.stats.mean, study.modality?.some((c: Json) => c.code === 'CT') ? 'HU' : '') });
  if (m.stats?.sd !== undefined) components.push({ code: { text: 'Standard deviation' }, valueQuantity: quantity(m.stats.sd, study.modality?.some((c: Json) => c.code === 'CT') ? 'HU' : '') });
  if (m.stats?.area !== undefined) components.push({ code: { text: 'Area' }, valueQuantity: quantity(m.stats.area, 'mm2') });
  const observation = {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' }] }],
    code: { coding: [{ system: MEASUREMENT_SYSTEM, code: m.kind, display: KINDS[m.kind] }], text: m.label ?? KINDS[m.kind] },
    subject: study.subject,
    effectiveDateTime: new Date().toISOString(),
    performer: [{ ...(author.practitioner ? { reference: author.practitioner } : {}), display: author.display }],
    valueQuantity: quantity(m.value, m.unit),
    ...(components.length ? { component: components } : {}),
    derivedFrom: [{ reference: `ImagingStudy/${imagingStudyId}` }],
    extension: [{
      url: LOCATION_EXTENSION,
      extension: [
        { url: 'series', valueId: m.seriesInstanceUid },
        { url: 'instance', valueId: m.sopInstanceUid },
        ...(m.frame ? [{ url: 'frame', valuePositiveInt: m.frame }] : []),
        ...(m.handles !== undefined ? [{ url: 'handles', valueString: JSON.stringify(m.handles) }] : []),
      ],
    }],
  } as Resource;
  const { version } = await repo.create(observation);
  return { ...m, id: version.id };
}

export async function listMeasurements(repo: Repository, imagingStudyId: string): Promise<Measurement[]> {
  const result = await repo.search('Observation', new URLSearchParams({ 'derived-from': `ImagingStudy/${imagingStudyId}`, category: 'imaging', _count: '500' }));
  return result.versions.map((v) => {
    const o = JSON.parse(v.json!) as Json;
    const location = (o.extension as Json[] | undefined)?.find((e) => e.url === LOCATION_EXTENSION)?.extension as Json[] | undefined ?? [];
    const part = (url: string) => location.find((e) => e.url === url);
    const stat = (text: string) => (o.component as Json[] | undefined)?.find((c) => c.code?.text === text)?.valueQuantity?.value;
    const handles = part('handles')?.valueString;
    return {
      id: o.id, kind: o.code?.coding?.[0]?.code, value: o.valueQuantity?.value, unit: o.valueQuantity?.unit,
      seriesInstanceUid: part('series')?.valueId, sopInstanceUid: part('instance')?.valueId, frame: part('frame')?.valuePositiveInt,
      label: o.code?.text, stats: { mean: stat('Mean'), sd: stat('Standard deviation'), area: stat('Area') },
      handles: handles ? JSON.parse(handles) : undefined,
    } as Measurement;
  });
}
