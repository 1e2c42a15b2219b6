// The EMR's strings live with the EMR (each area passes its own `{ 'zh-CN', en }` catalogue), so that
// the public booking bundle never carries them; the language is the app's (shared/i18n).
import { useCallback } from 'react';
import { useI18n, type Lang } from '../shared/i18n/index.tsx';

import type { Catalogue, MessagesOf } from '../shared/i18n/catalogue.ts';

export type { Catalogue, MessagesOf };

export function format(text: string, values?: Record<string, string | number>): string {
  return values ? text.replace(/\{(\w+)\}/g, (all, name: string) => (name in values ? String(values[name]) : all)) : text;
}

/** `m('key', { n: 3 })` in the current language; the English text stands in for a missing translation. */
export function useMessages<K extends string>(catalogue: Catalogue<K>): { m: MessagesOf<K>; lang: Lang } {
  const { lang } = useI18n();
  const m = useCallback<MessagesOf<K>>((key, values) => format(catalogue[lang][key] ?? catalogue.en[key] ?? key, values), [catalogue, lang]);
  return { m, lang };
}
