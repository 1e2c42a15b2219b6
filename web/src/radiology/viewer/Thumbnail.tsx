// A series thumbnail: the series' middle image rendered by cornerstone into a small element of its own.
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../shared/i18n/index.tsx';
import { cornerstone } from './cornerstone.ts';
import type { SeriesStack } from './study.ts';

export function Thumbnail({ stack, active, onSelect }: { stack: SeriesStack; active: boolean; onSelect(): void }) {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const el = element.current!;
    let live = true;
    cornerstone.enable(el);
    const imageId = stack.multiFrame ? stack.imageIds[0]! : stack.imageIds[Math.floor(stack.imageIds.length / 2)]!;
    cornerstone.loadAndCacheImage(imageId).then((image) => {
      if (live) cornerstone.displayImage(el, image);
    }, () => { if (live) setFailed(true); });
    return () => {
      live = false;
      cornerstone.disable(el);
    };
  }, [stack]);
  return (
    <button type="button" className="thumbnail" aria-pressed={active} data-series={stack.seriesUid} onClick={onSelect}>
      <div className="thumbnail-image" ref={element}>{failed ? <span className="thumbnail-failed">!</span> : null}</div>
      <span className="thumbnail-label">
        {[stack.modality, stack.number !== undefined ? `#${stack.number}` : ''].filter(Boolean).join(' ')} {stack.description ?? ''}
        <br />{t('viewer.imageCount', { count: stack.imageIds.length })}
      </span>
    </button>
  );
}
