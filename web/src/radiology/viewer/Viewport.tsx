// One image viewport: a cornerstone-enabled element showing a series as a stack, with the toolbar
// (tools, window presets, invert, rotate, flip, reset, cine), stack scrolling by wheel, keys and a
// scrollbar, the text overlays, and a clear message when an image cannot be displayed.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n, type MessageKey } from '../../shared/i18n/index.tsx';
import { cornerstone, cornerstoneTools, loadErrorText, undecodableSyntaxes } from './cornerstone.ts';
import { chooseLeftTool, leftTools, setUpTools, type LeftTool } from './tools.ts';
import { dicomDate, personName, type SeriesStack, type StudyView } from './study.ts';

/** Window presets (width/center in HU, for CT). */
export const windowPresets = [
  { key: 'softTissue', width: 400, center: 40 },
  { key: 'lung', width: 1500, center: -600 },
  { key: 'bone', width: 2500, center: 480 },
  { key: 'brain', width: 80, center: 40 },
  { key: 'liver', width: 150, center: 90 },
] as const;

const toolLabel: Record<LeftTool, MessageKey> = {
  Wwwc: 'viewer.toolWwwc', Pan: 'viewer.toolPan', Zoom: 'viewer.toolZoom', Length: 'viewer.toolLength', Angle: 'viewer.toolAngle',
  EllipticalRoi: 'viewer.toolEllipse', RectangleRoi: 'viewer.toolRectangle', Probe: 'viewer.toolProbe',
};

// Not exported at the top of cornerstone-tools 6: reached through its internal import table.
const scrollToIndex = cornerstoneTools.importInternal('util/scrollToIndex') as (element: HTMLElement, index: number) => void;

/** Cine speed when the file gives no Frame Time: 10 frames per second. */
const defaultFrameTime = 100;

interface Shown { index: number; windowWidth?: number; windowCenter?: number; scale?: number }

export function Viewport({ study, stack, onMeasurementsChanged }: {
  study: StudyView; stack: SeriesStack; onMeasurementsChanged(): void;
}) {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  const [tool, setTool] = useState<LeftTool>('Wwwc');
  const [shown, setShown] = useState<Shown>({ index: 0 });
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [playing, setPlaying] = useState(false);
  const total = stack.imageIds.length;

  const describeError = useCallback((err: unknown) => {
    const text = loadErrorText(err);
    const syntax = Object.keys(undecodableSyntaxes).find((uid) => text.includes(uid))
      ?? stack.transferSyntaxes.find((uid) => uid in undecodableSyntaxes);
    if (syntax) return t('viewer.unsupportedSyntax', { name: undecodableSyntaxes[syntax]!, uid: syntax });
    // The loader's RLE decoder has 8- and 16-bit segments only (PS3.5 §G also allows 32-bit samples).
    if (/unsupported pixel format for RLE/.test(text)) return t('viewer.unsupportedRle');
    return t('viewer.cannotDisplay', { reason: text });
  }, [stack, t]);

  // Enable the element once; tools and the error handler belong to it.
  useEffect(() => {
    const el = element.current!;
    cornerstone.enable(el);
    setUpTools(el);
    cornerstoneTools.loadHandlerManager.setErrorLoadingHandler((_el: HTMLElement, _imageId: string, err: unknown) => setError(describeErrorRef.current(err)), el);
    const rendered = (event: Event) => {
      const detail = (event as CustomEvent<{
        viewport: { voi: { windowWidth: number; windowCenter: number }; scale: number }; image: { imageId: string; rows: number; columns: number };
      }>).detail;
      // For tests and the benchmark: the shown image's size and how many renders happened.
      el.dataset.rows = String(detail.image.rows);
      el.dataset.columns = String(detail.image.columns);
      const stackState = cornerstoneTools.getToolState(el, 'stack')?.data[0] as { currentImageIdIndex: number } | undefined;
      el.dataset.rendered = String(Number(el.dataset.rendered ?? 0) + 1);
      // The first image of a stack counts as shown once drawn (cornerstone draws on the next animation frame).
      if (el.dataset.loaded === 'drawing') {
        el.dataset.firstImageMs = String(Math.round(performance.now() - Number(el.dataset.loadStarted)));
        el.dataset.shownStudy = el.dataset.loadingStudy;
        el.dataset.loaded = 'true';
      }
      setShown({
        index: stackState?.currentImageIdIndex ?? 0,
        windowWidth: detail.viewport.voi.windowWidth, windowCenter: detail.viewport.voi.windowCenter, scale: detail.viewport.scale,
      });
    };
    const newImage = () => setError(null);
    const measured = () => onChangedRef.current();
    el.addEventListener('cornerstoneimagerendered', rendered);
    el.addEventListener('cornerstonenewimage', newImage);
    for (const name of ['cornerstonetoolsmeasurementcompleted', 'cornerstonetoolsmeasurementmodified', 'cornerstonetoolsmeasurementremoved']) {
      el.addEventListener(name, measured);
    }
    const resize = new ResizeObserver(() => { try { cornerstone.resize(el); } catch { /* no image yet */ } });
    resize.observe(el);
    return () => {
      resize.disconnect();
      el.removeEventListener('cornerstoneimagerendered', rendered);
      el.removeEventListener('cornerstonenewimage', newImage);
      for (const name of ['cornerstonetoolsmeasurementcompleted', 'cornerstonetoolsmeasurementmodified', 'cornerstonetoolsmeasurementremoved']) {
        el.removeEventListener(name, measured);
      }
      cornerstoneTools.stackPrefetch.disable(el);
      cornerstone.disable(el);
    };
  }, []);
  const describeErrorRef = useRef(describeError);
  describeErrorRef.current = describeError;
  const onChangedRef = useRef(onMeasurementsChanged);
  onChangedRef.current = onMeasurementsChanged;

  // Show the stack: first image as soon as it decodes, then prefetch the rest of the series.
  useEffect(() => {
    const el = element.current!;
    let live = true;
    setError(null);
    setLoading(true);
    setPlaying(false);
    el.dataset.loadStarted = String(performance.now());
    el.dataset.loadingStudy = study.studyUid;
    delete el.dataset.firstImageMs;
    el.dataset.loaded = 'false';
    cornerstoneTools.stackPrefetch.disable(el);
    cornerstoneTools.clearToolState(el, 'stack');
    cornerstoneTools.addStackStateManager(el, ['stack']);
    cornerstoneTools.addToolState(el, 'stack', { currentImageIdIndex: 0, imageIds: stack.imageIds });
    cornerstone.loadAndCacheImage(stack.imageIds[0]!).then((image) => {
      if (!live) return;
      el.dataset.loaded = 'drawing';
      cornerstone.displayImage(el, image, cornerstone.getDefaultViewportForImage(el, image));
      setLoading(false);
      if (stack.imageIds.length > 1) cornerstoneTools.stackPrefetch.enable(el);
    }, (err: unknown) => {
      if (!live) return;
      setLoading(false);
      el.dataset.shownStudy = study.studyUid;
      el.dataset.loaded = 'error';
      setError(describeErrorRef.current(err));
    });
    return () => { live = false; };
  }, [stack]);

  useEffect(() => { chooseLeftTool(element.current!, tool); }, [tool]);

  const scrollTo = useCallback((index: number) => {
    const el = element.current!;
    if (total === 0) return;
    const next = ((index % total) + total) % total;
    scrollToIndex(el, next);
  }, [total]);
  const current = () => (cornerstoneTools.getToolState(element.current!, 'stack')?.data[0] as { currentImageIdIndex: number } | undefined)?.currentImageIdIndex ?? 0;

  // Cine: steps through the frames at the file's Frame Time.
  useEffect(() => {
    if (!playing) return;
    const step = stack.frameTime ?? defaultFrameTime;
    const timer = setInterval(() => scrollTo(current() + 1), step);
    return () => clearInterval(timer);
  }, [playing, stack, scrollTo]);

  function onKey(event: KeyboardEvent) {
    const by: Record<string, number> = { ArrowUp: -1, ArrowLeft: -1, PageUp: -10, ArrowDown: 1, ArrowRight: 1, PageDown: 10 };
    const index = current();
    if (event.key in by) {
      const target = Math.min(total - 1, Math.max(0, index + by[event.key]!));
      scrollToIndex(element.current!, target);
    } else if (event.key === 'Home') scrollToIndex(element.current!, 0);
    else if (event.key === 'End') scrollToIndex(element.current!, total - 1);
    else return;
    event.preventDefault();
  }

  function changeViewport(change: (v: NonNullable<ReturnType<typeof cornerstone.getViewport>>) => void) {
    const el = element.current!;
    const viewport = cornerstone.getViewport(el);
    if (!viewport) return;
    change(viewport);
    cornerstone.setViewport(el, viewport);
  }

  const modality = stack.modality ?? '';
  return (
    <div className="viewport-area">
      <div className="viewer-toolbar" role="toolbar" aria-label={t('viewer.tools')}>
        <div className="tool-group" role="group" aria-label={t('viewer.leftButton')}>
          {leftTools.map((name) => (
            <button key={name} type="button" data-tool={name} aria-pressed={tool === name} onClick={() => setTool(name)}>{t(toolLabel[name])}</button>
          ))}
        </div>
        <div className="tool-group" role="group" aria-label={t('viewer.presets')}>
          {windowPresets.map((p) => (
            <button key={p.key} type="button" data-preset={p.key} title={`${p.width}/${p.center}`}
              onClick={() => changeViewport((v) => { v.voi = { windowWidth: p.width, windowCenter: p.center }; })}>
              {t(`viewer.preset.${p.key}` as MessageKey)}
            </button>
          ))}
        </div>
        <div className="tool-group" role="group" aria-label={t('viewer.transform')}>
          <button type="button" data-action="invert" onClick={() => changeViewport((v) => { v.invert = !v.invert; })}>{t('viewer.invert')}</button>
          <button type="button" data-action="rotate" onClick={() => changeViewport((v) => { v.rotation = (v.rotation + 90) % 360; })}>{t('viewer.rotate')}</button>
          <button type="button" data-action="hflip" onClick={() => changeViewport((v) => { v.hflip = !v.hflip; })}>{t('viewer.flipH')}</button>
          <button type="button" data-action="vflip" onClick={() => changeViewport((v) => { v.vflip = !v.vflip; })}>{t('viewer.flipV')}</button>
          <button type="button" data-action="reset" onClick={() => { try { cornerstone.reset(element.current!); } catch { /* no image */ } }}>{t('viewer.reset')}</button>
          {total > 1 ? (
            <button type="button" data-action="cine" aria-pressed={playing} onClick={() => setPlaying((p) => !p)}>
              {playing ? t('viewer.stop') : t('viewer.play')}
            </button>
          ) : null}
        </div>
      </div>
      <div className="viewport-row">
        <div className="viewport" ref={element} tabIndex={0} data-testid="viewport" aria-label={t('viewer.image')}
          onKeyDown={onKey} onContextMenu={(e) => e.preventDefault()}>
          <div className="overlay top-left" data-overlay="patient">
            <div>{personName(study.patientName) ?? ''}</div>
            <div>{study.patientId ?? ''}</div>
          </div>
          <div className="overlay top-right" data-overlay="study">
            <div>{study.studyDescription ?? ''}</div>
            <div>{dicomDate(study.studyDate) ?? ''}</div>
          </div>
          <div className="overlay bottom-left" data-overlay="series">
            <div>{[modality, stack.number !== undefined ? `#${stack.number}` : '', stack.description ?? ''].filter(Boolean).join(' ')}</div>
            <div data-overlay="position">{t('viewer.imageOf', { n: total ? shown.index + 1 : 0, total })}</div>
          </div>
          <div className="overlay bottom-right" data-overlay="window">
            {shown.windowWidth !== undefined ? <div data-overlay="wl">{t('viewer.wl', { ww: Math.round(shown.windowWidth), wc: Math.round(shown.windowCenter ?? 0) })}</div> : null}
            {shown.scale !== undefined ? <div data-overlay="zoom">{t('viewer.zoom', { zoom: Math.round(shown.scale * 100) })}</div> : null}
          </div>
          {loading ? <p className="viewport-message" role="status">{t('viewer.loadingImage')}</p> : null}
          {error ? <p className="viewport-message error" role="alert" data-testid="image-error">{error}</p> : null}
        </div>
        {total > 1 ? (
          <input className="stack-scrollbar" type="range" min={1} max={total} step={1} value={shown.index + 1} aria-label={t('viewer.scrollbar')}
            onChange={(e) => scrollTo(Number(e.target.value) - 1)} />
        ) : null}
      </div>
    </div>
  );
}
