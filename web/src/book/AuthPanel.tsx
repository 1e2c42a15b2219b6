// Sign-in or sign-up before booking. Sign-up is the real-name registration of the server
// (/auth/signup/code, then /auth/signup): e-mail code, name and an 18-character resident ID whose
// GB 11643 check character is checked here first, so a typing error costs no code.
import { useEffect, useId, useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { askSignUpCode, logIn, signUp } from '../shared/http.ts';
import { useI18n } from '../shared/i18n/index.tsx';
import { looksLikeResidentId } from '../shared/resident-id.ts';
import { ErrorNote, StepHeading } from './common.tsx';

function Field({ label, ...input }: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} />
    </div>
  );
}

export function AuthPanel({ onDone }: { onDone(): void }) {
  const { t } = useI18n();
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  return (
    <section className="panel auth" aria-labelledby="auth-heading">
      <StepHeading focus id="auth-heading">{t('auth.signInHeading')}</StepHeading>
      <div className="tabs" role="group" aria-label={t('auth.signInHeading')}>
        <button type="button" aria-pressed={mode === 'sign-in'} onClick={() => setMode('sign-in')}>{t('auth.signIn')}</button>
        <button type="button" aria-pressed={mode === 'sign-up'} onClick={() => setMode('sign-up')}>{t('auth.signUp')}</button>
      </div>
      {mode === 'sign-in' ? <SignIn onDone={onDone} /> : <SignUp onDone={onDone} />}
    </section>
  );
}

function SignIn({ onDone }: { onDone(): void }) {
  const { t } = useI18n();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await logIn(login.trim(), password);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="form" name="sign-in">
      <Field label={t('auth.login')} name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} />
      <Field label={t('auth.password')} name="password" type="password" autoComplete="current-password" required value={password}
        onChange={(e) => setPassword(e.target.value)} />
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>{busy ? t('auth.working') : t('auth.submitSignIn')}</button>
    </form>
  );
}

function SignUp({ onDone }: { onDone(): void }) {
  const { lang, t } = useI18n();
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [residentId, setResidentId] = useState('');
  const [password, setPassword] = useState('');
  const [phone, setPhone] = useState('');
  const [sent, setSent] = useState<{ email: string; minutes: number } | null>(null);
  const [wait, setWait] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [idProblem, setIdProblem] = useState(false);

  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait((s) => s - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  async function sendCode() {
    setError(null);
    setBusy(true);
    try {
      const answer = await askSignUpCode(email.trim(), lang);
      setSent({ email: email.trim(), minutes: Math.round(answer.expiresIn / 60) });
      setWait(answer.resendAfter);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const id = residentId.trim().toUpperCase();
    if (!looksLikeResidentId(id)) {
      setIdProblem(true);
      return;
    }
    setIdProblem(false);
    setBusy(true);
    setError(null);
    try {
      await signUp({ email: email.trim(), code: code.trim(), password, name: name.trim(), documentNumber: id, phone: phone.trim() || undefined, locale: lang });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="form" name="sign-up">
      <Field label={t('auth.email')} name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <button type="button" onClick={sendCode} disabled={busy || wait > 0 || !email.includes('@')}>
        {wait > 0 ? t('auth.resendIn', { seconds: wait }) : t('auth.sendCode')}
      </button>
      {sent ? <p role="status">{t('auth.codeSent', { email: sent.email, minutes: sent.minutes })}</p> : null}
      <Field label={t('auth.code')} name="code" inputMode="numeric" pattern="\d{6}" maxLength={6} autoComplete="one-time-code" required
        value={code} onChange={(e) => setCode(e.target.value)} />
      <Field label={t('auth.name')} name="name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />
      <Field label={t('auth.residentId')} name="documentNumber" maxLength={18} autoComplete="off" required value={residentId}
        aria-invalid={idProblem} onChange={(e) => setResidentId(e.target.value)} />
      {idProblem ? <p className="error" role="alert">{t('auth.residentIdInvalid')}</p> : null}
      <Field label={t('auth.newPassword')} name="new-password" type="password" autoComplete="new-password" required minLength={10}
        value={password} onChange={(e) => setPassword(e.target.value)} />
      <Field label={t('auth.phone')} name="phone" type="tel" autoComplete="tel" value={phone} onChange={(e) => setPhone(e.target.value)} />
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>{busy ? t('auth.working') : t('auth.submitSignUp')}</button>
    </form>
  );
}
