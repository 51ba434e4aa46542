// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ReactFlowProvider } from '@xyflow/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Inspector } from '../../editor/src/inspector/inspector';
import { Problems } from '../../editor/src/panels/problems';
import { useEditor } from '../../editor/src/store';
import { flowTemplates } from '../../flow/templates';

const lead = flowTemplates.find((t) => t.id === 'lead-qualification')?.flow;
if (!lead) throw new Error('template missing');

function ui() {
  return render(
    <ReactFlowProvider>
      <Inspector />
      <Problems />
    </ReactFlowProvider>,
  );
}

beforeEach(() => {
  useEditor.getState().load({ flowId: 'f', name: lead.name, definition: lead, revision: 1, publishedVersion: 1 });
});
afterEach(cleanup);

describe('validation in the editor', () => {
  it('says there is nothing to fix for a valid flow', () => {
    ui();
    expect(screen.getByRole('status').textContent).toMatch(/No problems/);
  });

  it('shows an invalid field on the field itself and in the problems list, and jumps to the step', async () => {
    const user = userEvent.setup();
    useEditor.getState().updateParams('ask', { channel: 'sms', text: '' });
    ui();
    const problem = screen.getByRole('button', { name: /ask/ });
    expect(problem.textContent).toMatch(/ask/);
    await user.click(problem);
    // The step is now selected, so the inspector shows its form with the error on the Text field.
    const text = await screen.findByLabelText(/^Text/);
    expect(text.getAttribute('aria-invalid')).toBe('true');
    await user.type(text, 'Hello {{contact.firstName}}');
    expect(useEditor.getState().issues).toEqual([]);
    expect(screen.getByRole('status').textContent).toMatch(/No problems/);
  });

  it('lists structural problems with the step they belong to', () => {
    useEditor.getState().selectOnly('reminder');
    useEditor.getState().deleteSelected();
    ui();
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(items.some((t) => t?.includes('wait') && t.includes('timeout'))).toBe(true);
  });
});
