import { type FormEvent, useMemo, useState } from 'react';
import { createApi, loadApiKey, saveApiKey } from './api-client';
import { FlowEditor } from './flow-editor';
import { FlowsList } from './flows-list';
import { useRoute } from './router';

export function App() {
  const [apiKey, setApiKey] = useState<string | null>(() => loadApiKey());
  const api = useMemo(() => (apiKey ? createApi(apiKey) : null), [apiKey]);
  const route = useRoute();
  if (!api) {
    return (
      <SignIn
        onSignIn={(key) => {
          saveApiKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <div className="shell">
      <header className="topbar">
        <a href="#/" className="brand">
          Switchboard
        </a>
        <button
          type="button"
          onClick={() => {
            saveApiKey(null);
            setApiKey(null);
          }}
        >
          Sign out
        </button>
      </header>
      {route.page === 'flow' ? (
        <FlowEditor key={`${route.flowId}:${route.runId ?? ''}`} api={api} flowId={route.flowId} runId={route.runId} />
      ) : (
        <FlowsList api={api} />
      )}
    </div>
  );
}

function SignIn({ onSignIn }: { onSignIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) onSignIn(key.trim());
  };
  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-label="Sign in">
        <h1>Switchboard</h1>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          placeholder="sbk_…"
          autoComplete="off"
        />
        <button type="submit" className="primary">
          Sign in
        </button>
        <p className="hint">`npm start` prints the demo tenant's key.</p>
      </form>
    </main>
  );
}
