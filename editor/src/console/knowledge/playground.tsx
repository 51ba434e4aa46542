import { type FormEvent, useState } from 'react';
import { useAction } from '../hooks';
import { Empty, ErrorNotice, Field } from '../ui';
import { type Answer, type Passage, SEARCH_MODES, type SearchMode, useKnowledgeApi } from './api';

type Mode = 'ask' | 'search';
type Audience = 'all' | 'public';

const sourceHref = (sourceId: string) => `#/knowledge/sources/${encodeURIComponent(sourceId)}`;
const pct = (n: number) => `${Math.round(n * 100)}%`;
/** The API cuts snippets to a length, often mid-word; an ellipsis says so. */
const snippet = (text: string) => (/[.!?)"”]$/.test(text.trim()) ? text : `${text}…`);

/**
 * Ask the knowledge base a question (a cited answer, or "unsure" below the confidence threshold, as
 * the ai-reply node would) or search it (ranked passages with their lexical and vector scores).
 */
export function Playground() {
  const kb = useKnowledgeApi();
  const [mode, setMode] = useState<Mode>('ask');
  const [text, setText] = useState('');
  const [audience, setAudience] = useState<Audience>('all');
  const [minConfidence, setMinConfidence] = useState(0.5);
  const [searchMode, setSearchMode] = useState<SearchMode>('hybrid');
  const [topK, setTopK] = useState(5);
  const [result, setResult] = useState<
    { mode: 'ask'; question: string; answer: Answer } | { mode: 'search'; passages: Passage[] } | null
  >(null);

  const go = useAction(async () => {
    const q = text.trim();
    if (mode === 'ask') setResult({ mode, question: q, answer: await kb.ask(q, minConfidence, audience) });
    else setResult({ mode, passages: (await kb.search(q, searchMode, topK, audience)).items });
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) void go.run();
  };

  return (
    <section className="kb-playground" aria-label="Playground">
      <form className="panel kb-ask-form" onSubmit={onSubmit}>
        <fieldset className="kb-mode">
          <legend className="visually-hidden">Mode</legend>
          {(['ask', 'search'] as const).map((m) => (
            <label key={m} className={mode === m ? 'kb-mode-option active' : 'kb-mode-option'}>
              <input
                type="radio"
                name="kb-mode"
                value={m}
                checked={mode === m}
                onChange={() => {
                  setMode(m);
                  setResult(null);
                }}
              />
              {m === 'ask' ? 'Ask a question' : 'Search passages'}
            </label>
          ))}
        </fieldset>
        <Field label={mode === 'ask' ? 'Question' : 'Search query'}>
          {(id) => (
            <input
              id={id}
              type="text"
              value={text}
              placeholder={mode === 'ask' ? 'How long do I have to request a refund?' : 'refund policy'}
              onChange={(e) => setText(e.target.value)}
            />
          )}
        </Field>
        <div className="row kb-options">
          <Field label="Sources">
            {(id) => (
              <select
                id={id}
                value={audience}
                onChange={(e) => setAudience(e.target.value === 'public' ? 'public' : 'all')}
              >
                <option value="all">All (what agents see)</option>
                <option value="public">Public only (what customers are told)</option>
              </select>
            )}
          </Field>
          {mode === 'ask' ? (
            <Field label="Minimum confidence" hint="Below it the answer is withheld: unsure">
              {(id) => (
                <input
                  id={id}
                  type="number"
                  min={0}
                  max={1}
                  step={0.05}
                  value={minConfidence}
                  onChange={(e) => setMinConfidence(Math.min(1, Math.max(0, Number(e.target.value) || 0)))}
                />
              )}
            </Field>
          ) : (
            <>
              <Field label="Retrieval">
                {(id) => (
                  <select
                    id={id}
                    value={searchMode}
                    onChange={(e) => setSearchMode(SEARCH_MODES.find((m) => m === e.target.value) ?? 'hybrid')}
                  >
                    {SEARCH_MODES.map((m) => (
                      <option key={m} value={m}>
                        {m === 'hybrid'
                          ? 'Hybrid (words + meaning)'
                          : m === 'lexical'
                            ? 'Lexical (words)'
                            : 'Vector (meaning)'}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Passages">
                {(id) => (
                  <input
                    id={id}
                    type="number"
                    min={1}
                    max={50}
                    value={topK}
                    onChange={(e) => setTopK(Math.min(50, Math.max(1, Math.round(Number(e.target.value) || 5))))}
                  />
                )}
              </Field>
            </>
          )}
          <button type="submit" className="primary kb-go" disabled={!text.trim() || go.busy}>
            {go.busy ? 'Working…' : mode === 'ask' ? 'Ask' : 'Search'}
          </button>
        </div>
      </form>
      <ErrorNotice error={go.error} onDismiss={go.clear} />
      {result?.mode === 'ask' && <AnswerView answer={result.answer} minConfidence={minConfidence} />}
      {result?.mode === 'search' && <PassageList passages={result.passages} />}
    </section>
  );
}

function AnswerView({ answer, minConfidence }: { answer: Answer; minConfidence: number }) {
  return (
    <article className="panel kb-answer" aria-label="Answer" aria-live="polite">
      <header className="row kb-answer-head">
        <h2>{answer.unsure ? 'Unsure' : 'Answer'}</h2>
        <span className={answer.unsure ? 'badge badge-skipped' : 'badge badge-ready'}>
          Confidence {pct(answer.confidence)}
        </span>
        <span className="muted kb-small">answered by {answer.answeredBy}</span>
      </header>
      {answer.unsure ? (
        <p className="kb-unsure">
          Nothing in the knowledge base answers this well enough (confidence {pct(answer.confidence)}, below{' '}
          {pct(minConfidence)}): an AI reply would hand over to a person rather than guess.
        </p>
      ) : (
        <>
          <blockquote className="kb-answer-text">{answer.answer}</blockquote>
          <h3>Cited</h3>
          <ol className="kb-citations" aria-label="Citations">
            {answer.citations.map((c) => (
              <li key={`${c.sourceId}:${c.snippet}`}>
                <a href={sourceHref(c.sourceId)}>{c.title}</a>
                <p className="kb-snippet">{snippet(c.snippet)}</p>
              </li>
            ))}
          </ol>
        </>
      )}
      {answer.passages.length > 0 && (
        <details className="kb-considered">
          <summary>Passages considered ({answer.passages.length})</summary>
          <PassageList passages={answer.passages} />
        </details>
      )}
    </article>
  );
}

function PassageList({ passages }: { passages: Passage[] }) {
  if (passages.length === 0) return <Empty>No passage matches.</Empty>;
  return (
    <ol className="kb-passages" aria-label="Passages">
      {passages.map((p) => (
        <li key={p.chunkId} className="panel">
          <div className="row kb-passage-head">
            <a href={sourceHref(p.sourceId)}>{p.title}</a>
            <span className="muted kb-small">passage {p.ordinal + 1}</span>
            <span className="kb-score" title="Fused score">
              score {p.score.toFixed(3)}
            </span>
            <span className="muted kb-small">
              lexical {p.lexicalScore === null ? '—' : `${p.lexicalScore.toFixed(3)} (#${p.lexicalRank})`} · vector{' '}
              {p.vectorScore === null ? '—' : `${p.vectorScore.toFixed(3)} (#${p.vectorRank})`}
            </span>
          </div>
          <p className="kb-snippet">{p.text}</p>
        </li>
      ))}
    </ol>
  );
}
