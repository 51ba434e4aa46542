import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider } from '@xyflow/react';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { ApiError, api, type FlowRecord, type FlowSummary, loadApiKey, saveApiKey } from './api-client';
import { flowToCanvas } from './flow-to-canvas';
import { StepNode } from './step-node';

// Module scope, so React Flow does not see a new object on every render.
const nodeTypes = { step: StepNode };

export function App() {
  const [apiKey, setApiKey] = useState<string | null>(() => loadApiKey());
  if (!apiKey) {
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
    <FlowsScreen
      apiKey={apiKey}
      onSignOut={() => {
        saveApiKey(null);
        setApiKey(null);
      }}
    />
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
        <button type="submit">Sign in</button>
        <p className="hint">`npm start` prints the demo tenant's key.</p>
      </form>
    </main>
  );
}

function FlowsScreen({ apiKey, onSignOut }: { apiKey: string; onSignOut: () => void }) {
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [flow, setFlow] = useState<FlowRecord | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!selected) return;
    api
      .getFlow(apiKey, selected)
      .then(setFlow)
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [apiKey, selected]);

  useEffect(() => {
    api
      .listFlows(apiKey)
      .then(({ items }) => {
        setFlows(items);
        setSelected((s) => s ?? items[0]?.id ?? null);
      })
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) onSignOut();
        else setError(err instanceof Error ? err.message : String(err));
      });
  }, [apiKey, onSignOut]);

  return (
    <div className="shell">
      <header>
        <strong>Switchboard</strong>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <aside aria-label="Flows">
        <h2>Flows</h2>
        {error && <p role="alert">{error}</p>}
        {flows === null && !error && <p>Loading…</p>}
        <ul>
          {flows?.map((f) => (
            <li key={f.id}>
              <button type="button" aria-current={f.id === selected} onClick={() => setSelected(f.id)}>
                {f.name}
                <span className="flow-status">{f.status === 'published' ? `v${f.publishedVersion}` : 'draft'}</span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <main className="canvas">
        {flow && flow.id === selected ? <Canvas flow={flow} /> : <p className="empty">No flow selected.</p>}
      </main>
    </div>
  );
}

function Canvas({ flow }: { flow: FlowRecord }) {
  const { nodes, edges } = useMemo(() => flowToCanvas(flow.definition), [flow]);
  return (
    <ReactFlowProvider>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        nodesDraggable={false}
        aria-label={flow.name}
      >
        <Background />
        <MiniMap />
        <Controls />
      </ReactFlow>
    </ReactFlowProvider>
  );
}
