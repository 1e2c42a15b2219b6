// Language of the UI: zh-CN or en, first from localStorage, else from navigator.language; kept in
// localStorage and on <html lang>. t('book.fee', { amount }) looks a string up by its dotted key.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import zhCN, { type Messages } from './zh-CN.ts';
import en from './en.ts';
import type { Lang } from './catalogue.ts';

export type { Lang };
export const languages: readonly Lang[] = ['zh-CN', 'en'];
const catalogues: Record<Lang, Messages> = { 'zh-CN': zhCN, en };
const storageKey = 'open-his.lang';

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];
export type MessageKey = Leaves<Messages>;
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(storageKey);
    if (stored === 'zh-CN' || stored === 'en') return stored;
  } catch { /* storage may be disabled */ }
  const wanted = typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language];
  for (const tag of wanted) {
    if (!tag) continue;
    if (tag.toLowerCase().startsWith('zh')) return 'zh-CN';
    if (tag.toLowerCase().startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

/** Looks a message up; a key missing from the catalogue (a bug) shows as the key itself. */
export function translate(lang: Lang, key: string, values?: Record<string, string | number>): string {
  let node: unknown = catalogues[lang];
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  const text = typeof node === 'string' ? node : key;
  return values ? text.replace(/\{(\w+)\}/g, (all, name: string) => (name in values ? String(values[name]) : all)) : text;
}

export function hasMessage(lang: Lang, key: string): boolean {
  return translate(lang, key) !== key;
}

interface I18n { lang: Lang; setLang(lang: Lang): void; t: Translate }
const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try { localStorage.setItem(storageKey, next); } catch { /* storage may be disabled */ }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translate(lang, 'app.title');
  }, [lang]);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (key, values) => translate(lang, key, values) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
