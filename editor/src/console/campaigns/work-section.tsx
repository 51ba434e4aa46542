import { useResource } from '../hooks';
import { ErrorNotice, Field } from '../ui';
import type { CampaignApi } from './api';
import { type CampaignForm, MESSAGE_CHANNELS, type MessageChannel } from './form-model';

type Patch = (p: Partial<CampaignForm>) => void;

const WORK_KINDS = [
  { kind: 'flow', label: 'A published flow' },
  { kind: 'message', label: 'Send one message' },
  { kind: 'call', label: 'Place one call' },
] as const;

/** What each recipient gets: a published flow version, or a single message or call. */
export function WorkSection({
  api,
  form,
  patch,
  error,
}: {
  api: CampaignApi;
  form: CampaignForm;
  patch: Patch;
  error?: string | undefined;
}) {
  return (
    <section className="panel" aria-labelledby="campaign-work">
      <h2 id="campaign-work">Work per recipient</h2>
      <fieldset className="choice-row">
        <legend className="visually-hidden">Kind of work</legend>
        {WORK_KINDS.map((w) => (
          <label key={w.kind} className="choice">
            <input
              type="radio"
              name="work-kind"
              value={w.kind}
              checked={form.workKind === w.kind}
              onChange={() => patch({ workKind: w.kind })}
            />
            {w.label}
          </label>
        ))}
      </fieldset>
      {form.workKind === 'flow' && <FlowPicker api={api} form={form} patch={patch} />}
      {form.workKind === 'message' && (
        <div className="form-grid">
          <Field label="Channel">
            {(id) => (
              <select
                id={id}
                value={form.channel}
                onChange={(e) => patch({ channel: e.currentTarget.value as MessageChannel })}
              >
                {MESSAGE_CHANNELS.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {form.channel === 'email' && (
            <Field label="Subject">
              {(id) => (
                <input id={id} value={form.subject} onChange={(e) => patch({ subject: e.currentTarget.value })} />
              )}
            </Field>
          )}
          <div className="span-all">
            <Field label="Message text" hint="Placeholders like {{contact.firstName}} are filled per recipient.">
              {(id) => (
                <textarea id={id} rows={3} value={form.text} onChange={(e) => patch({ text: e.currentTarget.value })} />
              )}
            </Field>
          </div>
        </div>
      )}
      {form.workKind === 'call' && (
        <div className="form-grid">
          <div className="span-all">
            <Field label="First message" hint="What the voice agent says when the call is answered.">
              {(id) => (
                <textarea
                  id={id}
                  rows={2}
                  value={form.firstMessage}
                  onChange={(e) => patch({ firstMessage: e.currentTarget.value })}
                />
              )}
            </Field>
          </div>
          <div className="span-all">
            <Field label="Voicemail message" hint="Left on an answering machine; none when blank.">
              {(id) => (
                <textarea
                  id={id}
                  rows={2}
                  value={form.voicemailMessage}
                  onChange={(e) => patch({ voicemailMessage: e.currentTarget.value })}
                />
              )}
            </Field>
          </div>
        </div>
      )}
      {error && (
        <p className="warn" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function FlowPicker({ api, form, patch }: { api: CampaignApi; form: CampaignForm; patch: Patch }) {
  const flows = useResource(() => api.publishedFlows(), 'published-flows');
  const versions = useResource(
    () => (form.flowId ? api.flowVersions(form.flowId) : Promise.resolve(null)),
    `versions:${form.flowId}`,
  );
  return (
    <div className="form-grid">
      <Field label="Flow">
        {(id) => (
          <select
            id={id}
            value={form.flowId}
            onChange={(e) => patch({ flowId: e.currentTarget.value, flowVersion: '' })}
          >
            <option value="">Choose a published flow…</option>
            {flows.data?.items.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name} (v{f.publishedVersion})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Version">
        {(id) => (
          <select
            id={id}
            value={form.flowVersion}
            disabled={!form.flowId}
            onChange={(e) => patch({ flowVersion: e.currentTarget.value })}
          >
            <option value="">Latest published at launch</option>
            {versions.data?.items.map((v) => (
              <option key={v.version} value={String(v.version)}>
                v{v.version}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ErrorNotice error={flows.error} />
    </div>
  );
}
