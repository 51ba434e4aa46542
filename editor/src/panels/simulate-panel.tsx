import { useEffect, useRef, useState } from 'react';
import { CALL_OUTCOMES } from '../../../flow';
import type { Api, Simulation } from '../api-client';
import { useEditor } from '../store';

let rowIds = 0;
const rowId = () => `row-${++rowIds}`;

interface ReplyRow {
  key: string;
  text: string;
  afterMinutes: number;
  none: boolean;
}

const fmt = (iso: string, start: string) => {
  const ms = Date.parse(iso) - Date.parse(start);
  const m = Math.round(ms / 60_000);
  return m < 60
    ? `+${m}m`
    : m < 1440
      ? `+${Math.floor(m / 60)}h${m % 60 ? ` ${m % 60}m` : ''}`
      : `+${Math.floor(m / 1440)}d ${Math.floor((m % 1440) / 60)}h`;
};

/**
 * Runs the draft for a synthetic contact on a virtual clock (nothing is sent): scripted replies and
 * outcomes, or a seeded random world. The path then plays on the canvas.
 */
export function SimulatePanel({ api }: { api: Api }) {
  const [firstName, setFirstName] = useState('Alex');
  const [phone, setPhone] = useState('+15555550100');
  const [timeZone, setTimeZone] = useState('America/New_York');
  const [replies, setReplies] = useState<ReplyRow[]>([{ key: rowId(), text: 'yes', afterMinutes: 5, none: false }]);
  const [calls, setCalls] = useState<{ key: string; outcome: string }[]>([{ key: rowId(), outcome: 'answered' }]);
  const [confidence, setConfidence] = useState(0.9);
  const [escalationMinutes, setEscalationMinutes] = useState<number | ''>(30);
  const [random, setRandom] = useState(false);
  const [seed, setSeed] = useState(1);
  const [result, setResult] = useState<Simulation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [playing, setPlaying] = useState<number | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);

  useEffect(() => () => clearInterval(timer.current), []);

  const play = (sim: Simulation) => {
    clearInterval(timer.current);
    let i = 0;
    const step = () => {
      const path = sim.path.slice(0, i + 1).map((s) => s.nodeId);
      useEditor.getState().setOverlay({ path, current: path[path.length - 1] ?? null });
      setPlaying(i);
      if (++i >= sim.path.length) {
        clearInterval(timer.current);
        setPlaying(null);
      }
    };
    step();
    timer.current = setInterval(step, 450);
  };

  const run = async () => {
    setError(null);
    const script = {
      contact: { firstName, phone: phone || null, timeZone, email: 'alex@example.com' },
      replies: random ? [] : replies.map((r) => (r.none ? null : { text: r.text, afterMinutes: r.afterMinutes })),
      calls: random ? [] : calls.map((c) => c.outcome),
      ai: random ? [] : [{ confidence }, { confidence }, { confidence }],
      escalations: random ? [] : [escalationMinutes === '' ? null : { resolveAfterMinutes: escalationMinutes }],
      ...(random ? { random: { seed } } : {}),
    };
    try {
      const sim = await api.simulate(useEditor.getState().flow(), script);
      setResult(sim);
      play(sim);
    } catch (err) {
      setResult(null);
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section className="panel simulate" aria-label="Simulate">
      <fieldset>
        <legend>Synthetic contact</legend>
        <label>
          First name <input value={firstName} onChange={(e) => setFirstName(e.target.value)} />
        </label>
        <label>
          Phone <input value={phone} onChange={(e) => setPhone(e.target.value)} />
        </label>
        <label>
          Time zone <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
        </label>
      </fieldset>
      <label className="inline">
        <input type="checkbox" checked={random} onChange={(e) => setRandom(e.target.checked)} /> Random replies and
        outcomes, seed{' '}
        <input
          type="number"
          value={seed}
          onChange={(e) => setSeed(Number(e.target.value))}
          aria-label="Seed"
          disabled={!random}
        />
      </label>
      {!random && (
        <>
          <fieldset>
            <legend>Replies (in order, one per wait)</legend>
            {replies.map((r, i) => (
              <div className="row" key={r.key}>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={r.none}
                    onChange={(e) =>
                      setReplies(replies.map((x, j) => (j === i ? { ...x, none: e.target.checked } : x)))
                    }
                  />{' '}
                  no reply
                </label>
                <input
                  aria-label={`Reply ${i + 1} text`}
                  value={r.text}
                  disabled={r.none}
                  onChange={(e) => setReplies(replies.map((x, j) => (j === i ? { ...x, text: e.target.value } : x)))}
                />
                <input
                  aria-label={`Reply ${i + 1} after minutes`}
                  type="number"
                  min={0}
                  value={r.afterMinutes}
                  disabled={r.none}
                  onChange={(e) =>
                    setReplies(replies.map((x, j) => (j === i ? { ...x, afterMinutes: Number(e.target.value) } : x)))
                  }
                />
                <span className="muted">min</span>
                <button
                  type="button"
                  aria-label={`Remove reply ${i + 1}`}
                  onClick={() => setReplies(replies.filter((_, j) => j !== i))}
                >
                  ×
                </button>
              </div>
            ))}
            <button
              type="button"
              onClick={() => setReplies([...replies, { key: rowId(), text: '', afterMinutes: 5, none: false }])}
            >
              Add reply
            </button>
          </fieldset>
          <fieldset>
            <legend>Calls</legend>
            {calls.map((c, i) => (
              <select
                key={c.key}
                aria-label={`Call ${i + 1} outcome`}
                value={c.outcome}
                onChange={(e) => setCalls(calls.map((x, j) => (j === i ? { ...x, outcome: e.target.value } : x)))}
              >
                {CALL_OUTCOMES.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            ))}
            <button type="button" onClick={() => setCalls([...calls, { key: rowId(), outcome: 'answered' }])}>
              Add call
            </button>
          </fieldset>
          <label>
            AI confidence{' '}
            <input
              type="number"
              step={0.05}
              min={0}
              max={1}
              value={confidence}
              onChange={(e) => setConfidence(Number(e.target.value))}
            />
          </label>
          <label>
            Escalation resolved after (minutes, empty = never)
            <input
              type="number"
              min={0}
              value={escalationMinutes}
              onChange={(e) => setEscalationMinutes(e.target.value === '' ? '' : Number(e.target.value))}
            />
          </label>
        </>
      )}
      <button type="button" className="primary" onClick={() => void run()}>
        Simulate
      </button>
      {error && <p className="warn">{error}</p>}
      {result && (
        <section className="sim-result" aria-label="Simulation result">
          <p>
            <strong>{result.outcome}</strong> after {fmt(result.finishedAt ?? result.startedAt, result.startedAt)}{' '}
            (virtual time).{' '}
            <button type="button" onClick={() => play(result)} disabled={playing !== null}>
              Replay on canvas
            </button>
          </p>
          <ol className="sim-path">
            {result.path.map((s, i) => (
              <li key={`${s.nodeId}-${s.visit}`} className={playing === i ? 'is-current' : ''}>
                <span className="time">{fmt(s.enteredAt, result.startedAt)}</span> <code>{s.nodeId}</code>
                {s.output ? ` → ${s.output}` : ''}
              </li>
            ))}
          </ol>
          <h4>What would happen</h4>
          <ul className="sim-effects">
            {result.effects.map((e) => (
              <li key={`${e.at}-${e.kind}-${e.nodeId}`}>
                <span className="time">{fmt(e.at, result.startedAt)}</span> <strong>{e.kind}</strong>{' '}
                {String(e.detail.text ?? e.detail.outcome ?? e.detail.team ?? e.detail.url ?? e.detail.answer ?? '')}
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
