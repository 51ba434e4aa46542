import { useEffect, useMemo, useState } from 'react';
import { navigate } from '../../router';
import { useAction } from '../hooks';
import { useSession } from '../session';
import { ErrorNotice, Field, Loading, PageHeader, useToast } from '../ui';
import { campaignApi } from './api';
import { AudienceSection } from './audience-section';
import { type CampaignForm, emptyForm, fieldErrors, fromCampaign, toBody } from './form-model';
import { RetrySection, ScheduleSection } from './settings-sections';
import { WorkSection } from './work-section';

/**
 * Creates a draft (`campaignId` null) or edits one, then launches it. After the first save the URL
 * becomes `#/campaigns/:id/edit`; the shell renders this same component there, so the form's state
 * (an uploaded CSV included) survives the change.
 */
export function CampaignEditor({ campaignId }: { campaignId: string | null }) {
  const { request } = useSession();
  const api = useMemo(() => campaignApi(request), [request]);
  const toast = useToast();
  const [savedId, setSavedId] = useState<string | null>(campaignId);
  const [form, setForm] = useState<CampaignForm | null>(campaignId ? null : emptyForm());
  const [loadError, setLoadError] = useState<unknown>(null);
  const [dirty, setDirty] = useState(false);

  // Opening `#/campaigns/:id/edit` directly: load the draft once.
  useEffect(() => {
    if (!campaignId || form) return;
    api.get(campaignId).then((c) => {
      if (c.status !== 'draft') navigate(`/campaigns/${c.id}`);
      else setForm(fromCampaign(c));
    }, setLoadError);
  }, [api, campaignId, form]);

  const patch = (p: Partial<CampaignForm>) => {
    setForm((f) => (f ? { ...f, ...p } : f));
    setDirty(true);
  };

  const save = useAction(async () => {
    if (!form) return null;
    const body = toBody(form);
    const saved = savedId ? await api.update(savedId, body) : await api.create(body);
    setSavedId(saved.id);
    setDirty(false);
    toast(`Draft “${saved.name}” saved`);
    if (!savedId) navigate(`/campaigns/${saved.id}/edit`);
    return saved;
  });
  const launch = useAction(async () => {
    if (!savedId) return;
    if (dirty && !(await save.run())) return;
    const launched = await api.launch(savedId);
    toast(`“${launched.name}” launched to ${launched.totalRecipients} recipients`);
    navigate(`/campaigns/${launched.id}`);
  });

  if (loadError) return <ErrorNotice error={loadError} />;
  if (!form) return <Loading />;
  const errors = { ...fieldErrors(save.error), ...fieldErrors(launch.error) };

  return (
    <>
      <PageHeader
        title={savedId ? `Edit campaign: ${form.name || 'untitled'}` : 'New campaign'}
        description="Save the campaign as a draft, then launch it: the audience is fixed at launch."
        actions={
          <button type="button" className="link" onClick={() => navigate('/campaigns')}>
            ← All campaigns
          </button>
        }
      />
      <form
        className="campaign-form"
        aria-label="Campaign"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <section className="panel">
          <Field label="Campaign name" error={errors.name}>
            {(id) => <input id={id} value={form.name} onChange={(e) => patch({ name: e.currentTarget.value })} />}
          </Field>
        </section>
        <AudienceSection
          api={api}
          value={form.audience}
          onChange={(audience) => patch({ audience })}
          error={errors.audience}
        />
        <WorkSection api={api} form={form} patch={patch} error={errors.work} />
        <ScheduleSection form={form} patch={patch} errors={errors} />
        <RetrySection api={api} form={form} patch={patch} errors={errors} />
        <ErrorNotice error={save.error ?? launch.error} />
        <div className="row form-actions">
          <button type="submit" disabled={save.busy}>
            {save.busy ? 'Saving…' : 'Save draft'}
          </button>
          <button
            type="button"
            className="primary"
            disabled={!savedId || launch.busy}
            title={savedId ? undefined : 'Save the draft first'}
            onClick={() => void launch.run()}
          >
            {launch.busy ? 'Launching…' : 'Launch'}
          </button>
          {savedId && !dirty && <span className="muted">Draft saved.</span>}
          {dirty && savedId && <span className="muted">Unsaved changes: Launch saves them first.</span>}
        </div>
      </form>
    </>
  );
}
