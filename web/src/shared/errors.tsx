// A failed call as the user reads it: our text for the server's stable codes, else the server's own
// words (a template or rules validation message, say), in an alert.
import { ApiError } from './http.ts';
import { hasMessage, translate, useI18n, type Lang, type Translate } from './i18n/index.tsx';

/** The text to show for a failed call: ours for the codes we know, else the server's own words. */
export function errorText(lang: Lang, t: Translate, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'network') return t('errors.network');
    const key = `errors.${err.code}`;
    if (err.code && hasMessage(lang, key)) return translate(lang, key, { detail: err.text });
    if (err.text) return err.text;
  }
  return t('errors.generic');
}

export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { lang, t } = useI18n();
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <p>{errorText(lang, t, error)}</p>
      {onRetry ? <button type="button" onClick={onRetry}>{t('app.retry')}</button> : null}
    </div>
  );
}

