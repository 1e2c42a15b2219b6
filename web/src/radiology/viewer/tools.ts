// The cornerstone-tools of the viewer: which tool the left button drives, and the fixed bindings
// (right drag zooms, middle drag pans, the wheel scrolls the stack). Measurements read from the
// tools' state become the radiology API's measurement shape.
import { cornerstone, cornerstoneTools } from './cornerstone.ts';
import type { Measurement, MeasurementKind } from '../api.ts';

export type LeftTool = 'Wwwc' | 'Pan' | 'Zoom' | 'Length' | 'Angle' | 'EllipticalRoi' | 'RectangleRoi' | 'Probe';
export const leftTools: readonly LeftTool[] = ['Wwwc', 'Pan', 'Zoom', 'Length', 'Angle', 'EllipticalRoi', 'RectangleRoi', 'Probe'];

const measuring: Record<string, MeasurementKind> = {
  Length: 'length', Angle: 'angle', EllipticalRoi: 'ellipse', RectangleRoi: 'rectangle', Probe: 'probe',
};

const mouse = { left: 1, middle: 4, right: 2 };

/** Adds every tool to an enabled element and binds the default ones. */
export function setUpTools(element: HTMLElement): void {
  const t = cornerstoneTools;
  for (const tool of [t.WwwcTool, t.PanTool, t.ZoomTool, t.LengthTool, t.AngleTool, t.EllipticalRoiTool, t.RectangleRoiTool, t.ProbeTool, t.StackScrollMouseWheelTool]) {
    t.addToolForElement(element, tool);
  }
  t.setToolActiveForElement(element, 'StackScrollMouseWheel', {});
  t.setToolActiveForElement(element, 'Pan', { mouseButtonMask: mouse.middle });
  t.setToolActiveForElement(element, 'Zoom', { mouseButtonMask: mouse.right });
  chooseLeftTool(element, 'Wwwc');
}

/** Binds the left button to `tool`; measurement tools already drawn stay visible (passive). */
export function chooseLeftTool(element: HTMLElement, tool: LeftTool): void {
  const t = cornerstoneTools;
  for (const name of Object.keys(measuring)) if (name !== tool) t.setToolPassiveForElement(element, name);
  if (tool !== 'Wwwc') t.setToolPassiveForElement(element, 'Wwwc');
  // Pan and Zoom keep their own buttons; with the left button added when chosen.
  t.setToolActiveForElement(element, 'Pan', { mouseButtonMask: tool === 'Pan' ? mouse.middle | mouse.left : mouse.middle });
  t.setToolActiveForElement(element, 'Zoom', { mouseButtonMask: tool === 'Zoom' ? mouse.right | mouse.left : mouse.right });
  if (tool !== 'Pan' && tool !== 'Zoom') t.setToolActiveForElement(element, tool, { mouseButtonMask: mouse.left });
}

export interface ImageRef { seriesInstanceUid: string; sopInstanceUid: string; frame?: number }

/** Rounds for display and storage: 0.1 precision is what a reader reads off the screen. */
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * The measurements drawn on the images of a stack, in the API's shape. Lengths are in mm when the
 * image has Pixel Spacing (PS3.3 C.7.6.2.1.1), else in pixels; ROI and probe values are modality
 * values (after Rescale Slope/Intercept, PS3.3 C.11.1.1.2): Hounsfield units for CT.
 */
export interface DrawnMeasurement extends Measurement {
  /** The tool's own id of the drawing (not sent): tells which drawings were saved already. */
  key: string;
}

export function measurementsOf(imageIds: readonly string[], refOf: (imageId: string) => ImageRef | undefined): DrawnMeasurement[] {
  const state = cornerstoneTools.globalImageIdSpecificToolStateManager.saveToolState() as Record<string, Record<string, { data: any[] }>>;
  const out: DrawnMeasurement[] = [];
  for (const imageId of imageIds) {
    const tools = state[imageId];
    const ref = refOf(imageId);
    if (!tools || !ref) continue;
    const image = cachedImage(imageId);
    const spacing = Boolean(image?.rowPixelSpacing && image?.columnPixelSpacing);
    const modality = (cornerstone.metaData.get('generalSeriesModule', imageId) as { modality?: string } | undefined)?.modality;
    const valueUnit = modality === 'CT' ? 'HU' : '';
    for (const [tool, kind] of Object.entries(measuring)) {
      for (const data of tools[tool]?.data ?? []) {
        // Frames are numbered from 1 in the API (PS3.18 frame numbers); the stack counts from 0.
        const where = { seriesInstanceUid: ref.seriesInstanceUid, sopInstanceUid: ref.sopInstanceUid, ...(ref.frame !== undefined ? { frame: ref.frame + 1 } : {}) };
        const base = { kind, ...where, handles: data.handles, key: String(data.uuid) };
        if (kind === 'length' && Number.isFinite(data.length)) out.push({ ...base, value: round(data.length), unit: spacing ? 'mm' : 'px' });
        else if (kind === 'angle' && Number.isFinite(data.rAngle)) out.push({ ...base, value: round(data.rAngle), unit: 'deg' });
        else if ((kind === 'ellipse' || kind === 'rectangle') && data.cachedStats && Number.isFinite(data.cachedStats.mean)) {
          const s = data.cachedStats as { mean: number; stdDev: number; area: number };
          out.push({ ...base, value: round(s.mean), unit: valueUnit, stats: { mean: round(s.mean), sd: round(s.stdDev), area: round(s.area) } });
        } else if (kind === 'probe' && data.cachedStats && Number.isFinite(data.cachedStats.mo)) {
          out.push({ ...base, value: round(data.cachedStats.mo), unit: valueUnit });
        }
      }
    }
  }
  return out;
}

function cachedImage(imageId: string): { rowPixelSpacing?: number; columnPixelSpacing?: number } | undefined {
  const cached = (cornerstone.imageCache as unknown as { imageCache: Record<string, { image?: { rowPixelSpacing?: number; columnPixelSpacing?: number } }> }).imageCache?.[imageId];
  return cached?.image;
}
