import { useEffect, useId, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { useSettingsApi } from './api';
import { ApiErrorNotice } from './form-parts';
import { ONBOARDING_CHANGED } from './sections';
import './settings.css';

/** Where in the console each step is done (api/onboarding/steps-from-api.ts says what completes it). */
const STEP_LINKS: Record<string, string> = {
  connect_channel: '#/settings/channels',
  add_knowledge: '#/knowledge',
  publish_flow: '#/',
  invite_teammate: '#/settings/members',
  first_campaign: '#/campaigns',
};

const HIDDEN_KEY = 'switchboard.onboardingHidden';
const OPEN_KEY = 'switchboard.onboardingOpen';

/**
 * The tenant's onboarding checklist, shown above console pages until every step is done or skipped
 * (or the tenant dismissed it for good); "Hide for now" hides it for this browser session, and its
 * steps fold behind "Show steps" (remembered for the session). Steps
 * complete from what the tenant does, so it reloads on a period and when a screen says it may have
 * changed.
 */
export function OnboardingChecklist() {
  const api = useSettingsApi();
  const [hidden, setHidden] = useState(() => sessionStorage.getItem(HIDDEN_KEY) === '1');
  const [open, setOpen] = useState(() => sessionStorage.getItem(OPEN_KEY) === '1');
  const toggle = (next: boolean) => {
    sessionStorage.setItem(OPEN_KEY, next ? '1' : '0');
    setOpen(next);
  };
  const listId = useId();
  const checklist = useResource(() => api.onboarding(), 'onboarding', { intervalMs: hidden ? undefined : 5000 });
  const { reload } = checklist;
  useEffect(() => {
    // The step is signalled after the response; look again shortly after as well.
    const onChange = () => {
      reload();
      setTimeout(reload, 1500);
    };
    window.addEventListener(ONBOARDING_CHANGED, onChange);
    return () => window.removeEventListener(ONBOARDING_CHANGED, onChange);
  }, [reload]);
  const skip = useAction(async (step: string) => {
    await api.skipStep(step);
    reload();
  });
  const data = checklist.data;
  // A key that cannot read the checklist simply does not see it.
  if (hidden || !data || data.complete || data.dismissed) return null;
  const percent = Math.round((data.done / Math.max(1, data.total)) * 100);
  const next = data.steps.find((s) => s.status === 'pending');
  return (
    <section className="panel onboarding" aria-label="Getting started">
      <header>
        <h2>Getting started</h2>
        <div
          className="progress"
          role="progressbar"
          aria-label="Setup progress"
          aria-valuemin={0}
          aria-valuemax={data.total}
          aria-valuenow={data.done}
          aria-valuetext={`${data.done} of ${data.total} steps done`}
        >
          <span style={{ width: `${percent}%` }} />
        </div>
        <span className="muted">
          {data.done} of {data.total} done{next && !open ? ` · next: ${next.label}` : ''}
        </span>
        <span className="spacer" />
        <button type="button" aria-expanded={open} aria-controls={listId} onClick={() => toggle(!open)}>
          {open ? 'Hide steps' : 'Show steps'}
        </button>
        <button
          type="button"
          className="link"
          onClick={() => {
            sessionStorage.setItem(HIDDEN_KEY, '1');
            setHidden(true);
          }}
        >
          Hide for now
        </button>
      </header>
      {/* Folded by default: its links would otherwise sit on every page beside the main nav's. */}
      <ol id={listId} hidden={!open} aria-label="Setup steps">
        {data.steps.map((s) => (
          <li key={s.step} className={s.status} aria-label={`${s.label}: ${s.status}`}>
            <span className="tick" aria-hidden="true">
              {s.status === 'done' ? '✓' : s.status === 'skipped' ? '–' : ''}
            </span>
            {s.status === 'pending' ? (
              <>
                <a href={STEP_LINKS[s.step] ?? '#/'}>{s.label}</a>
                <button
                  type="button"
                  className="link muted"
                  onClick={() => void skip.run(s.step)}
                  aria-label={`Skip ${s.label}`}
                  disabled={skip.busy}
                >
                  skip
                </button>
              </>
            ) : (
              <span className="label">{s.label}</span>
            )}
          </li>
        ))}
      </ol>
      <ApiErrorNotice error={skip.error} onDismiss={skip.clear} />
    </section>
  );
}
