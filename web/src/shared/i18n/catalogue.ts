// The shape of an area's own message catalogue (the EMR's, the admin pages', the health summary's),
// kept free of JSX so that tests and plain modules can import catalogues.
/** The UI's languages (index.tsx re-exports it). */
export type Lang = 'zh-CN' | 'en';

export type Catalogue<K extends string> = Record<Lang, Record<K, string>>;
export type MessagesOf<K extends string> = (key: K, values?: Record<string, string | number>) => string;
