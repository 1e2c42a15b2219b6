// Pieces every chart tab uses: its messages, sex and age as the screen says them, a link that
// navigates without a reload, and a "load more" button for paged searches.
import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { useMessages, type MessagesOf } from '../i18n.ts';
import { ageOf } from './fhir.ts';
import { navigate } from '../../shared/navigate.ts';
import { chartMessages, type ChartKey } from './messages.ts';

export const useChart = () => useMessages(chartMessages);
export type M = MessagesOf<ChartKey>;

export function genderText(m: M, gender: string | undefined): string {
  return gender === 'male' ? m('male') : gender === 'female' ? m('female') : gender === 'other' ? m('other') : m('unknown');
}

export function ageText(m: M, birthDate: string | undefined, today: string): string {
  const age = ageOf(birthDate, today);
  if (!age) return '';
  return m(age.unit === 'y' ? 'ageY' : age.unit === 'm' ? 'ageM' : 'ageD', { n: age.value });
}

/** Encounter.class (v3 ActCode): 门诊 AMB, 急诊 EMER, 住院 IMP / ACUTE. */
export function classLabel(m: M, code: string | undefined): string {
  return code === 'AMB' ? m('classAMB') : code === 'EMER' ? m('classEMER') : code === 'IMP' || code === 'ACUTE' ? m('classIMP') : m('classOther');
}

export const navigateTo = (path: string): void => navigate(path);

/** A real link (opens in a new tab too) that navigates in place on a plain click. */
export function Link({ href, children, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const click = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigateTo(href);
  };
  return <a href={href} {...rest} onClick={click}>{children}</a>;
}

export function LoadMore({ next, busy, onMore }: { next?: string; busy: boolean; onMore(): void }) {
  const { m } = useChart();
  if (!next) return null;
  return <button type="button" name="more" disabled={busy} onClick={onMore}>{busy ? m('loading') : m('loadMore')}</button>;
}
