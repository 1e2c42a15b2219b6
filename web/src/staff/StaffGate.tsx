// The staff pages' door: restores the session from the refresh cookie, else asks for username and
// password (and the authenticator code when the server answers `totp-required`), then lets in only a
// staff account with the page's role; anyone else is told why, with a way to sign out.
import { useEffect, useId, useState, useSyncExternalStore, type FormEvent, type ReactNode } from 'react';
import { ApiError, logIn, logOut, refreshSession, session, type Account } from '../shared/http.ts';
import { useI18n, type MessageKey } from '../shared/i18n/index.tsx';
import { ErrorNote } from '../shared/errors.tsx';

export type StaffRole = 'admin' | 'registrar' | 'doctor' | 'nurse' | 'radiologist';

const roleName: Record<StaffRole, MessageKey> = {
  admin: 'staff.roleAdmin', registrar: 'staff.roleRegistrar', doctor: 'staff.roleDoctor', nurse: 'staff.roleNurse', radiologist: 'staff.roleRadiologist',
};

export function useAccount(): Account | null {
  return useSyncExternalStore(session.subscribe, () => session.get().account);
}

const nameOf = (account: Account) => account.displayName ?? account.username ?? account.email ?? account.id;

/** Lets in a staff account holding `role` (or any one of several roles). */
export function StaffGate({ role, heading, children }: { role: StaffRole | readonly StaffRole[]; heading: string; children: ReactNode }) {
  const { t } = useI18n();
  const roles: readonly StaffRole[] = typeof role === 'string' ? [role] : role;
  const account = useAccount();
  const [checking, setChecking] = useState(() => session.get().account === null);
  useEffect(() => {
    if (!checking) return;
    let live = true;
    void refreshSession().finally(() => { if (live) setChecking(false); });
    return () => { live = false; };
  }, [checking]);

  let body: ReactNode;
  if (checking) body = <p role="status">{t('staff.checking')}</p>;
  else if (!account) body = <StaffSignIn />;
  else if (account.kind !== 'staff') body = <Refusal text={t('staff.notStaff')} />;
  else if (!roles.some((r) => account.roles?.includes(r))) {
    body = <Refusal text={t('staff.wrongRole', { role: roles.map((r) => t(roleName[r])).join(t('staff.roleOr')), name: nameOf(account) })} />;
  }
  else body = children;

  return (
    <div className="staff">
      <div className="book-head">
        <h1>{heading}</h1>
        {account && !checking ? (
          <div className="book-nav">
            <span className="who">{t('staff.signedInAs', { name: nameOf(account) })}</span>
            <button type="button" className="link" onClick={() => void logOut()}>{t('staff.signOut')}</button>
          </div>
        ) : null}
      </div>
      {body}
    </div>
  );
}

function Refusal({ text }: { text: string }) {
  return <p className="error panel" role="alert" data-testid="refusal">{text}</p>;
}

export function StaffSignIn() {
  const { t } = useI18n();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ids = { login: useId(), password: useId(), totp: useId(), hint: useId() };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await logIn(login.trim(), password, needTotp ? totp.trim() : undefined);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp-required' && !needTotp) {
        setNeedTotp(true);
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="staff-sign-in">
      <h2 id="staff-sign-in">{t('staff.signInHeading')}</h2>
      <form className="form" name="staff-sign-in" onSubmit={submit}>
        <div className="field">
          <label htmlFor={ids.login}>{t('staff.login')}</label>
          <input id={ids.login} name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>{t('staff.password')}</label>
          <input id={ids.password} name="password" type="password" autoComplete="current-password" required value={password}
            onChange={(e) => setPassword(e.target.value)} />
        </div>
        {needTotp ? (
          <div className="field">
            <label htmlFor={ids.totp}>{t('staff.totp')}</label>
            <input id={ids.totp} name="totp" inputMode="numeric" pattern="\d{6}" maxLength={6} autoComplete="one-time-code" required autoFocus
              aria-describedby={ids.hint} value={totp} onChange={(e) => setTotp(e.target.value)} />
            <p id={ids.hint} className="note" role="status">{t('staff.totpHint')}</p>
          </div>
        ) : null}
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>{busy ? t('staff.working') : t('staff.submit')}</button>
      </form>
    </section>
  );
}
