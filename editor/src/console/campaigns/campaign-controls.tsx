import { useState } from 'react';
import { useAction } from '../hooks';
import { useSession } from '../session';
import { Dialog, ErrorNotice, useToast } from '../ui';
import type { Campaign, CampaignApi } from './api';

/** Pause, resume (skip or catch up what the pause missed), cancel (confirmed) and the results export. */
export function CampaignControls({
  api,
  campaign,
  onChanged,
}: {
  api: CampaignApi;
  campaign: Campaign;
  onChanged: (c: Campaign) => void;
}) {
  const { transfers } = useSession();
  const toast = useToast();
  const [dialog, setDialog] = useState<'resume' | 'cancel' | null>(null);
  const [missed, setMissed] = useState<'catch_up' | 'skip'>('catch_up');
  const control = useAction(async (action: 'pause' | 'resume' | 'cancel') => {
    const c =
      action === 'pause'
        ? await api.pause(campaign.id)
        : action === 'resume'
          ? await api.resume(campaign.id, missed)
          : await api.cancel(campaign.id);
    setDialog(null);
    onChanged(c);
    toast(
      action === 'pause'
        ? 'Campaign paused'
        : action === 'resume'
          ? 'Campaign resumed'
          : c.status === 'cancelling'
            ? 'Cancelling: running journeys are being stopped'
            : 'Campaign cancelled',
    );
  });
  const exporting = useAction(() =>
    transfers.download(`/v1/campaigns/${encodeURIComponent(campaign.id)}/results.csv`, `campaign-results.csv`),
  );
  const { status } = campaign;
  const controllable = status === 'running' || status === 'paused' || status === 'scheduled';

  return (
    <div className="row campaign-controls">
      {(status === 'running' || status === 'scheduled') && (
        <button type="button" disabled={control.busy} onClick={() => void control.run('pause')}>
          Pause
        </button>
      )}
      {status === 'paused' && (
        <button type="button" className="primary" disabled={control.busy} onClick={() => setDialog('resume')}>
          Resume…
        </button>
      )}
      {controllable && (
        <button type="button" className="danger" disabled={control.busy} onClick={() => setDialog('cancel')}>
          Cancel campaign…
        </button>
      )}
      <button type="button" disabled={exporting.busy} onClick={() => void exporting.run()}>
        {exporting.busy ? 'Exporting…' : 'Export results CSV'}
      </button>
      {!dialog && <ErrorNotice error={control.error ?? exporting.error} onDismiss={control.clear} />}

      <Dialog title="Resume the campaign" open={dialog === 'resume'} onClose={() => setDialog(null)}>
        <fieldset className="dialog-body">
          <legend>Recipients the pause kept from starting</legend>
          <label className="choice">
            <input type="radio" name="missed" checked={missed === 'catch_up'} onChange={() => setMissed('catch_up')} />
            Catch up: start them as fast as concurrency, provider rate and calling windows allow
          </label>
          <label className="choice">
            <input type="radio" name="missed" checked={missed === 'skip'} onChange={() => setMissed('skip')} />
            Skip them (recorded as “missed during pause”) and go on at the normal pace
          </label>
        </fieldset>
        <ErrorNotice error={control.error} onDismiss={control.clear} />
        <div className="row dialog-actions">
          <button type="button" onClick={() => setDialog(null)}>
            Keep paused
          </button>
          <button type="button" className="primary" disabled={control.busy} onClick={() => void control.run('resume')}>
            Resume
          </button>
        </div>
      </Dialog>

      <Dialog title="Cancel the campaign?" open={dialog === 'cancel'} onClose={() => setDialog(null)}>
        <p className="dialog-body">
          Recipients not started yet are cancelled and running journeys are stopped. A cancelled campaign cannot be
          resumed.
        </p>
        <ErrorNotice error={control.error} onDismiss={control.clear} />
        <div className="row dialog-actions">
          <button type="button" onClick={() => setDialog(null)}>
            Keep it running
          </button>
          <button type="button" className="danger" disabled={control.busy} onClick={() => void control.run('cancel')}>
            Cancel campaign
          </button>
        </div>
      </Dialog>
    </div>
  );
}
