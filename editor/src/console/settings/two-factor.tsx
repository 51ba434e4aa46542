import { type FormEvent, useMemo, useState } from 'react';
import { ApiError, createRequest } from '../../api-client';
import { useAction } from '../hooks';
import { Field, SubmitRow } from '../ui';
import { createTwoFactorApi, type Tokens, type TotpSetup, useSettingsApi } from './api';
import { ApiErrorNotice, SecretOnce } from './form-parts';

/**
 * Two-factor belongs to a person, and the API's 2FA routes take a signed-in user, never an API key
 * (which is what this console holds). So the person signs in here with email and password; the
 * access token lives in this component's memory only and is gone when they leave the section.
 */
export function TwoFactorSection() {
  const [tokens, setTokens] = useState<Tokens | null>(null);
  return (
    <>
      <h2>Two-factor sign-in</h2>
      <p className="muted">
        An authenticator app's six-digit code is asked for at every sign-in, on top of the password. It is set per
        person: sign in as yourself to set it up.
      </p>
      {tokens ? <Enrolment tokens={tokens} onSignOut={() => setTokens(null)} /> : <SignInForm onSignedIn={setTokens} />}
    </>
  );
}

function SignInForm({ onSignedIn }: { onSignedIn: (t: Tokens) => void }) {
  const api = useSettingsApi();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const signIn = useAction(async () => onSignedIn(await api.login(email, password, code || undefined)));
  const needsCode = signIn.error instanceof ApiError && ['totp_required', 'invalid_totp'].includes(signIn.error.code);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void signIn.run();
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="Sign in as yourself" noValidate>
      <h2>Sign in as yourself</h2>
      <div className="form-grid">
        <Field label="Your email">
          {(id) => (
            <input
              id={id}
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label="Your password">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        {needsCode && (
          <Field label="Authenticator code">
            {(id) => (
              <input
                id={id}
                inputMode="numeric"
                autoComplete="one-time-code"
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            )}
          </Field>
        )}
      </div>
      <ApiErrorNotice error={signIn.error} onDismiss={signIn.clear} />
      <SubmitRow label="Sign in" busy={signIn.busy} />
    </form>
  );
}

function Enrolment({ tokens, onSignOut }: { tokens: Tokens; onSignOut: () => void }) {
  const twoFactor = useMemo(() => createTwoFactorApi(createRequest(tokens.accessToken)), [tokens.accessToken]);
  const [on, setOn] = useState(tokens.user.twoFactor);
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [backupCodes, setBackupCodes] = useState<string[] | null>(null);
  const start = useAction(async () => setSetup(await twoFactor.setup()));
  const enable = useAction(async () => {
    const res = await twoFactor.enable(code.trim());
    setBackupCodes(res.backupCodes);
    setSetup(null);
    setCode('');
    setOn(true);
  });
  const disable = useAction(async () => {
    await twoFactor.disable(password, code.trim());
    setPassword('');
    setCode('');
    setOn(false);
  });
  return (
    <section className="panel sub-rows" aria-label="Two-factor for you">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <p>
          Signed in as <strong>{tokens.user.name}</strong> ({tokens.user.email}). Two-factor is{' '}
          <strong>{on ? 'on' : 'off'}</strong>.
        </p>
        <button type="button" onClick={onSignOut}>
          Done
        </button>
      </div>
      {backupCodes && (
        <SecretOnce title="Backup codes" secret={backupCodes.join('\n')} onDone={() => setBackupCodes(null)}>
          <p className="muted">Each works once, instead of a code, if you lose your phone.</p>
        </SecretOnce>
      )}
      {!on && !setup && (
        <div className="actions">
          <button type="button" className="primary" onClick={() => void start.run()} disabled={start.busy}>
            Set up two-factor
          </button>
        </div>
      )}
      <ApiErrorNotice error={start.error} onDismiss={start.clear} />
      {setup && (
        <form
          className="sub-rows"
          aria-label="Verify your authenticator"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void enable.run();
          }}
        >
          <p>Add this account to your authenticator app: open the link on your phone, or type the secret by hand.</p>
          <dl>
            <dt>Secret</dt>
            <dd>
              <code className="totp-secret">{setup.secret}</code>
            </dd>
            <dt>Setup link</dt>
            <dd>
              <a className="otp-uri" href={setup.otpauthUrl}>
                {setup.otpauthUrl}
              </a>
            </dd>
          </dl>
          <Field label="Code from the app">
            {(id) => (
              <input
                id={id}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={10}
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            )}
          </Field>
          <ApiErrorNotice error={enable.error} onDismiss={enable.clear} />
          <SubmitRow label="Verify and turn on" busy={enable.busy} />
        </form>
      )}
      {on && !backupCodes && (
        <form
          className="sub-rows"
          aria-label="Turn two-factor off"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void disable.run();
          }}
        >
          <div className="form-grid">
            <Field label="Password">
              {(id) => (
                <input
                  id={id}
                  type="password"
                  autoComplete="current-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              )}
            </Field>
            <Field label="Current code">
              {(id) => <input id={id} inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} />}
            </Field>
          </div>
          <ApiErrorNotice error={disable.error} onDismiss={disable.clear} />
          <div className="actions">
            <button type="submit" className="danger" disabled={disable.busy}>
              Turn two-factor off
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
