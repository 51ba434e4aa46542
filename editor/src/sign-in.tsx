import { type FormEvent, useState } from 'react';
import { ApiError, ensureOk } from './api-client';
import { LoginAnswerSchema, type StoredSession } from './auth';

type Mode = 'password' | 'key';

/**
 * The way in: a person signs in with email and password (and their authenticator's code when
 * two-factor is on); an API key still works, which is what `npm start`'s link carries.
 */
export function SignInPage({ onSignIn }: { onSignIn: (s: StoredSession) => void }) {
  const [mode, setMode] = useState<Mode>('password');
  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <h1>Switchboard</h1>
        <fieldset className="row sign-in-modes">
          <legend className="visually-hidden">Sign in with</legend>
          <button type="button" aria-pressed={mode === 'password'} onClick={() => setMode('password')}>
            Email and password
          </button>
          <button type="button" aria-pressed={mode === 'key'} onClick={() => setMode('key')}>
            API key
          </button>
        </fieldset>
        {mode === 'password' ? <PasswordForm onSignIn={onSignIn} /> : <KeyForm onSignIn={onSignIn} />}
      </div>
    </main>
  );
}

function PasswordForm({ onSignIn }: { onSignIn: (s: StoredSession) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await ensureOk(
        await fetch('/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password, ...(code.trim() ? { totpCode: code.trim() } : {}) }),
        }),
      );
      onSignIn({ kind: 'user', tokens: LoginAnswerSchema.parse(await res.json()) });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') setNeedsCode(true);
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-label="Sign in">
      <label htmlFor="email">Email</label>
      <input
        id="email"
        type="email"
        autoComplete="username"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        required
      />
      <label htmlFor="password">Password</label>
      <input
        id="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        required
      />
      {needsCode && (
        <>
          <label htmlFor="totp">Authenticator code</label>
          <input
            id="totp"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </>
      )}
      {error && (
        <p className="warn" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}

function KeyForm({ onSignIn }: { onSignIn: (s: StoredSession) => void }) {
  const [key, setKey] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) onSignIn({ kind: 'key', key: key.trim() });
  };
  return (
    <form onSubmit={submit} aria-label="Sign in with an API key">
      <label htmlFor="api-key">API key</label>
      <input id="api-key" value={key} onChange={(e) => setKey(e.target.value)} placeholder="sbk_…" autoComplete="off" />
      <button type="submit" className="primary">
        Sign in
      </button>
      <p className="hint">`npm start` prints the demo tenant's key.</p>
    </form>
  );
}
