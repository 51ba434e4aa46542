// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { SchemaForm, type SchemaFormProps, type VariableOption } from '../../editor/src/inspector/schema-form';
import {
  branchNode,
  delayNode,
  handoffNode,
  httpRequestNode,
  placeCallNode,
  sendMessageNode,
  splitNode,
  triggerNode,
  updateContactNode,
  waitForReplyNode,
} from '../../flow/nodes/index';

afterEach(cleanup);

const jsonSchemaOf = (d: { params: z.ZodType }) =>
  z.toJSONSchema(d.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** Holds the params in state, as the inspector does, and reports every onChange. */
function Harness({
  initial,
  onChange,
  ...props
}: Omit<SchemaFormProps, 'value' | 'onChange'> & { initial: unknown; onChange: (next: unknown) => void }) {
  const [value, setValue] = useState<unknown>(initial);
  return (
    <SchemaForm
      {...props}
      value={value}
      onChange={(next) => {
        onChange(next);
        // Freezing what the form hands back proves later edits copy rather than mutate it.
        setValue(deepFreeze(next));
      }}
    />
  );
}

function setup(
  descriptor: { params: z.ZodType },
  initial: unknown,
  extra: Partial<Omit<SchemaFormProps, 'schema' | 'value' | 'onChange'>> = {},
) {
  const schema = jsonSchemaOf(descriptor);
  const onChange = vi.fn<(next: unknown) => void>();
  const frozen = deepFreeze(structuredClone(initial));
  const user = userEvent.setup();
  const view = render(<Harness schema={schema} initial={frozen} onChange={onChange} idPrefix="t" {...extra} />);
  const last = (): Record<string, unknown> => {
    const call = onChange.mock.lastCall;
    if (!call) throw new Error('onChange was not called');
    return call[0] as Record<string, unknown>;
  };
  return { user, onChange, last, view, schema };
}

const variables: VariableOption[] = [
  { label: 'First name', value: '{{contact.firstName}}', group: 'Contact' },
  { label: 'Phone', value: '{{contact.phone}}', group: 'Contact' },
  { label: 'Last reply', value: '{{vars.lastReply}}', group: 'Run' },
];

describe('SchemaForm: send-message', () => {
  it('renders the properties in schema order with labels, required markers and the right controls', () => {
    const { view } = setup(sendMessageNode, { channel: 'sms', text: '' });
    const labels = [...view.container.querySelectorAll('label:not(.sf-sr-only)')].map((l) => l.textContent);
    expect(labels).toEqual(['Channel', 'Text', 'Subject', 'Use template', 'Purpose']);

    const channel = screen.getByLabelText('Channel');
    expect(channel.tagName).toBe('SELECT');
    expect(channel.getAttribute('aria-required')).toBe('true');
    expect(screen.getByText('Channel').className).toContain('sf-required');

    const text = screen.getByLabelText('Text');
    expect(text.tagName).toBe('TEXTAREA'); // named "text"
    expect(text.getAttribute('aria-required')).toBe('true');
    const subject = screen.getByLabelText('Subject');
    expect(subject.tagName).toBe('INPUT'); // maxLength 200
    expect(subject.getAttribute('aria-required')).toBeNull();
    expect(screen.getByText('Subject').className).not.toContain('sf-required');
    expect(subject.id).toBe('t-subject');
  });

  it('typing in Text calls onChange once per keystroke with the whole updated params, without mutating value', async () => {
    const { user, onChange } = setup(sendMessageNode, { channel: 'sms', text: '' });
    await user.type(screen.getByLabelText('Text'), 'Hi!');
    expect(onChange.mock.calls.map((c) => c[0])).toEqual([
      { channel: 'sms', text: 'H' },
      { channel: 'sms', text: 'Hi' },
      { channel: 'sms', text: 'Hi!' },
    ]);
  });

  it('clearing an optional text field removes its key', async () => {
    const { user, last } = setup(sendMessageNode, { channel: 'email', text: 'x', subject: 'Hello' });
    await user.clear(screen.getByLabelText('Subject'));
    expect(last()).toEqual({ channel: 'email', text: 'x' });
  });

  it('"Use template" adds the optional template object with its fields and removes it again', async () => {
    const { user, last } = setup(sendMessageNode, { channel: 'whatsapp', text: 'x' });
    expect(screen.queryByLabelText('Name')).toBeNull();

    await user.click(screen.getByLabelText('Use template'));
    expect(last()).toEqual({ channel: 'whatsapp', text: 'x', template: { name: '' } });
    expect(screen.getByRole('group', { name: 'Template' })).toBeTruthy();
    expect(screen.getByLabelText('Language').getAttribute('placeholder')).toBe('en'); // the default

    await user.type(screen.getByLabelText('Name'), 'promo');
    await user.click(screen.getByRole('button', { name: 'Add item to Variables' }));
    await user.type(screen.getByLabelText('Variables item 1'), 'Ann');
    expect(last()).toEqual({ channel: 'whatsapp', text: 'x', template: { name: 'promo', variables: ['Ann'] } });

    await user.click(screen.getByLabelText('Use template'));
    expect(last()).toEqual({ channel: 'whatsapp', text: 'x' });
    expect(screen.queryByLabelText('Name')).toBeNull();
  });

  it('shows an error under the field it belongs to, with aria-invalid and aria-describedby', () => {
    setup(
      sendMessageNode,
      { channel: 'sms', text: '', template: { name: '' } },
      { errors: { text: 'Too small: expected at least 1 character', 'template.name': 'A template name is required' } },
    );
    const text = screen.getByLabelText('Text');
    expect(text.getAttribute('aria-invalid')).toBe('true');
    const describedBy = text.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toBe('Too small: expected at least 1 character');

    const name = screen.getByLabelText('Name');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(name.getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'A template name is required',
    );
    const channel = screen.getByLabelText('Channel');
    expect(channel.getAttribute('aria-invalid')).toBeNull();
    expect(channel.getAttribute('aria-describedby')).toBeNull();
  });

  it('updates the error display when only the errors prop changes', () => {
    const schema = jsonSchemaOf(sendMessageNode);
    const value = { channel: 'sms', text: '' };
    const { rerender } = render(
      <SchemaForm schema={schema} value={value} onChange={() => {}} idPrefix="t" errors={{ text: 'Required' }} />,
    );
    expect(screen.getByLabelText('Text').getAttribute('aria-invalid')).toBe('true');
    rerender(
      <SchemaForm schema={schema} value={value} onChange={() => {}} idPrefix="t" errors={{ channel: 'Pick one' }} />,
    );
    expect(screen.getByLabelText('Text').getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByLabelText('Channel').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Pick one')).toBeTruthy();
  });

  it('the variable picker lists variables grouped by group and inserts the chosen one at the caret', async () => {
    const { user, last } = setup(sendMessageNode, { channel: 'sms', text: 'Hello world' }, { variables });
    const text = screen.getByLabelText('Text') as HTMLTextAreaElement;
    await user.click(text);
    text.setSelectionRange(6, 6);

    const trigger = screen.getByRole('button', { name: 'Insert variable into Text' });
    expect(trigger.getAttribute('aria-expanded')).toBe('false');
    await user.click(trigger);
    expect(trigger.getAttribute('aria-expanded')).toBe('true');
    const listbox = screen.getByRole('listbox', { name: 'Variables for Text' });
    const groups = within(listbox).getAllByRole('group');
    expect(
      groups.map(
        (g) =>
          g.getAttribute('aria-labelledby') &&
          document.getElementById(g.getAttribute('aria-labelledby') ?? '')?.textContent,
      ),
    ).toEqual(['Contact', 'Run']);
    expect(within(groups[0] as HTMLElement).getAllByRole('option')).toHaveLength(2);

    await user.click(within(listbox).getByRole('option', { name: /First name/ }));
    expect(last()).toEqual({ channel: 'sms', text: 'Hello {{contact.firstName}}world' });
    expect(screen.queryByRole('listbox')).toBeNull();
    // Focus is back in the field, with the caret just after the inserted variable.
    expect(document.activeElement).toBe(text);
    expect(text.selectionStart).toBe(6 + '{{contact.firstName}}'.length);
  });

  it('the variable picker replaces the selection and can be driven from the keyboard', async () => {
    const { user, last } = setup(sendMessageNode, { channel: 'sms', text: 'Hi NAME!' }, { variables });
    const text = screen.getByLabelText('Text') as HTMLTextAreaElement;
    await user.click(text);
    text.setSelectionRange(3, 7); // "NAME"
    await user.click(screen.getByRole('button', { name: 'Insert variable into Text' }));
    const filter = screen.getByRole('combobox', { name: 'Filter variables' });
    expect(document.activeElement).toBe(filter);
    await user.keyboard('{ArrowDown}'); // Phone
    await user.keyboard('{Enter}');
    expect(last()).toEqual({ channel: 'sms', text: 'Hi {{contact.phone}}!' });

    await user.click(screen.getByRole('button', { name: 'Insert variable into Text' }));
    await user.type(screen.getByRole('combobox', { name: 'Filter variables' }), 'reply');
    expect(within(screen.getByRole('listbox')).getAllByRole('option')).toHaveLength(1);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Insert variable into Text' }));
  });

  it('offers no variable picker when there are no variables', () => {
    setup(sendMessageNode, { channel: 'sms', text: '' });
    expect(screen.queryByRole('button', { name: /Insert variable/ })).toBeNull();
  });

  it('readOnly disables every control and never calls onChange', async () => {
    const { user, onChange, view } = setup(
      sendMessageNode,
      { channel: 'sms', text: 'Hi', template: { name: 'promo', variables: ['a'] } },
      { readOnly: true, variables },
    );
    const controls = [...view.container.querySelectorAll('input, select, textarea, button')];
    expect(controls.length).toBeGreaterThan(6);
    for (const el of controls) expect((el as HTMLInputElement).disabled, el.outerHTML).toBe(true);
    await user.type(screen.getByLabelText('Text'), 'x');
    await user.click(screen.getByLabelText('Use template'));
    expect(onChange).not.toHaveBeenCalled();
  });

  it('two forms with different idPrefix values keep their ids and labels apart', () => {
    const schema = jsonSchemaOf(sendMessageNode);
    render(
      <>
        <SchemaForm schema={schema} value={{ text: 'one' }} onChange={() => {}} idPrefix="a" />
        <SchemaForm schema={schema} value={{ text: 'two' }} onChange={() => {}} idPrefix="b" />
      </>,
    );
    const texts = screen.getAllByLabelText('Text') as HTMLTextAreaElement[];
    expect(texts.map((t) => [t.id, t.value])).toEqual([
      ['a-text', 'one'],
      ['b-text', 'two'],
    ]);
  });
});

describe('SchemaForm: place-call', () => {
  it('labels fields from their names and shows defaults as placeholders', () => {
    setup(placeCallNode, { firstMessage: 'Hi' });
    const max = screen.getByLabelText('Max duration seconds') as HTMLInputElement;
    expect(max.type).toBe('number');
    expect([max.min, max.max, max.step, max.placeholder]).toEqual(['10', '3600', '1', '300']);
    const persona = screen.getByLabelText('Persona');
    expect(persona.tagName).toBe('TEXTAREA');
    expect(persona.getAttribute('placeholder')).toBe('You are a friendly assistant calling on behalf of the company.');
    expect(screen.getByLabelText('First message').tagName).toBe('TEXTAREA');
    expect(screen.getByLabelText('Voice agent id').tagName).toBe('INPUT');
    expect(screen.getByLabelText('Voicemail message').tagName).toBe('TEXTAREA'); // maxLength 1000
  });

  it('a number field stores numbers, removes the key when emptied and clamps to its bounds on blur', async () => {
    const { user, last, onChange } = setup(placeCallNode, { firstMessage: 'Hi' });
    const max = screen.getByLabelText('Max duration seconds');
    await user.type(max, '600');
    expect(onChange.mock.calls.map((c) => (c[0] as Record<string, unknown>).maxDurationSeconds)).toEqual([6, 60, 600]);
    await user.clear(max);
    expect(last()).toEqual({ firstMessage: 'Hi' });
    await user.type(max, '5');
    await user.tab();
    expect(last()).toEqual({ firstMessage: 'Hi', maxDurationSeconds: 10 });
  });

  it('the script list editor adds, edits and removes lines', async () => {
    const { user, last } = setup(placeCallNode, { firstMessage: 'Hi' });
    const add = screen.getByRole('button', { name: 'Add item to Script' });
    await user.click(add);
    expect(last()).toEqual({ firstMessage: 'Hi', script: [''] });
    expect(document.activeElement).toBe(screen.getByLabelText('Script item 1'));
    await user.keyboard('Ask about the order');
    await user.click(add);
    await user.type(screen.getByLabelText('Script item 2'), 'Say goodbye');
    expect(last().script).toEqual(['Ask about the order', 'Say goodbye']);
    await user.click(screen.getByRole('button', { name: 'Remove Script item 1' }));
    expect(last().script).toEqual(['Say goodbye']);
    expect((screen.getByLabelText('Script item 1') as HTMLTextAreaElement).value).toBe('Say goodbye');
  });
});

describe('SchemaForm: wait-for-reply', () => {
  it('an optional enum is a select with an empty option that removes the key', async () => {
    const { user, last } = setup(waitForReplyNode, { timeout: '1d' });
    const channel = screen.getByLabelText('Channel') as HTMLSelectElement;
    expect([...channel.options].map((o) => o.value)).toEqual([
      '',
      'sms',
      'whatsapp',
      'email',
      'telegram',
      'webchat',
      'messenger',
      'instagram',
    ]);
    expect(channel.value).toBe('');
    await user.selectOptions(channel, 'whatsapp');
    expect(last()).toEqual({ timeout: '1d', channel: 'whatsapp' });
    await user.selectOptions(channel, '');
    expect(last()).toEqual({ timeout: '1d' });
  });

  it('a required enum without a value asks for one instead of showing the first option', () => {
    setup(sendMessageNode, { text: 'x' });
    const channel = screen.getByLabelText('Channel') as HTMLSelectElement;
    expect(channel.value).toBe('');
    expect(channel.selectedOptions[0]?.textContent).toBe('Select…');
  });

  it('shows a timeout error with aria-invalid', () => {
    setup(waitForReplyNode, { timeout: 'soon' }, { errors: { timeout: 'a duration like "30s"' } });
    const timeout = screen.getByLabelText('Timeout');
    expect(timeout.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('a duration like "30s"').id).toBe(timeout.getAttribute('aria-describedby'));
  });
});

describe('SchemaForm: delay', () => {
  it('switching mode from duration to quiet-hours keeps only the mode and shows the new fields', async () => {
    const { user, last } = setup(delayNode, { mode: 'duration', duration: '5m' });
    const mode = screen.getByLabelText('Mode') as HTMLSelectElement;
    expect(mode.value).toBe('duration');
    expect(screen.getByLabelText('Duration')).toBeTruthy();

    await user.selectOptions(mode, 'quiet-hours');
    expect(last()).toEqual({ mode: 'quiet-hours' });
    expect(screen.queryByLabelText('Duration')).toBeNull();
    expect(screen.getByLabelText('Fallback time zone').getAttribute('placeholder')).toBe('UTC');

    await user.type(screen.getByLabelText('Start'), '21:00');
    await user.type(screen.getByLabelText('End'), '08:00');
    expect(last()).toEqual({ mode: 'quiet-hours', start: '21:00', end: '08:00' });
  });

  it('until-window shows the nested window with its default days, which can be customised', async () => {
    const { user, last } = setup(delayNode, { mode: 'until-window' });
    const window = screen.getByRole('group', { name: 'Window' });
    expect(within(window).getByText(/Default: 1, 2, 3, 4, 5, 6, 7/)).toBeTruthy();
    await user.click(within(window).getByRole('button', { name: 'Customise Days' }));
    expect(last()).toEqual({ mode: 'until-window', window: { days: [1, 2, 3, 4, 5, 6, 7] } });
    await user.click(within(window).getByRole('button', { name: 'Remove Days item 7' }));
    await user.click(within(window).getByRole('button', { name: 'Remove Days item 6' }));
    await user.type(within(window).getByLabelText('Start'), '09:00');
    expect(last()).toEqual({ mode: 'until-window', window: { days: [1, 2, 3, 4, 5], start: '09:00' } });
    await user.click(within(window).getByRole('button', { name: 'Reset Days to default' }));
    expect(last()).toEqual({ mode: 'until-window', window: { start: '09:00' } });
  });
});

describe('SchemaForm: branch', () => {
  const initial = {
    rules: [{ id: 'vip', conditions: [{ field: 'contact.tags', operator: 'contains', value: 'vip' }] }],
  };

  it('adds a rule with a fresh id, adds a condition and picks an operator', async () => {
    const { user, last } = setup(branchNode, initial);
    await user.click(screen.getByRole('button', { name: '+ Add rule' }));
    expect(last()).toEqual({
      rules: [initial.rules[0], { id: 'rule-2', conditions: [{ field: '' }] }],
    });
    const rule2 = screen.getByRole('group', { name: 'Rule 2 · rule-2' });
    // The new group's first control has focus.
    expect(document.activeElement).toBe(within(rule2).getByLabelText('Id'));

    const condition1 = within(rule2).getByRole('group', { name: 'Condition 1' });
    const operator = within(condition1).getByLabelText('Operator') as HTMLSelectElement;
    expect(operator.value).toBe('');
    await user.selectOptions(operator, 'gt');
    await user.type(within(condition1).getByLabelText('Field'), 'contact.score');

    await user.click(within(rule2).getByRole('button', { name: '+ Add condition' }));
    const condition2 = within(rule2).getByRole('group', { name: 'Condition 2' });
    await user.selectOptions(within(condition2).getByLabelText('Operator'), 'exists');
    expect(last().rules).toEqual([
      initial.rules[0],
      {
        id: 'rule-2',
        conditions: [
          { field: 'contact.score', operator: 'gt' },
          { field: '', operator: 'exists' },
        ],
      },
    ]);
  });

  it('a condition value can be text, a number, true/false or a list', async () => {
    const { user, last } = setup(branchNode, initial);
    const condition = screen.getByRole('group', { name: 'Condition 1' });
    expect((within(condition).getByLabelText('Value') as HTMLInputElement).value).toBe('vip');
    await user.selectOptions(within(condition).getByLabelText('Value type'), 'Number');
    expect(last().rules).toEqual([
      { id: 'vip', conditions: [{ field: 'contact.tags', operator: 'contains', value: 0 }] },
    ]);
    const number = within(condition).getByLabelText('Value') as HTMLInputElement;
    expect(number.type).toBe('number');
    await user.clear(number);
    await user.type(number, '42');
    expect((last().rules as { conditions: { value: unknown }[] }[])[0]?.conditions[0]?.value).toBe(42);

    await user.selectOptions(within(condition).getByLabelText('Value type'), 'List');
    await user.click(within(condition).getByRole('button', { name: 'Add item to Value' }));
    await user.type(within(condition).getByLabelText('Value item 2'), 'gold');
    expect((last().rules as { conditions: { value: unknown }[] }[])[0]?.conditions[0]?.value).toEqual([42, 'gold']);
  });

  it('moves rules up and down and removes them, keeping focus on the moved group', async () => {
    const { user, last } = setup(branchNode, {
      rules: [
        { id: 'a', conditions: [{ field: 'contact.x', operator: 'exists' }] },
        { id: 'b', conditions: [{ field: 'contact.y', operator: 'exists' }] },
      ],
    });
    expect((screen.getByRole('button', { name: 'Move Rule 1 up' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Move Rule 2 down' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Move Rule 2 up' }));
    expect((last().rules as { id: string }[]).map((r) => r.id)).toEqual(['b', 'a']);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move Rule 1 down' }));
    expect(screen.getByRole('group', { name: 'Rule 1 · b' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Move Rule 1 down' }));
    expect((last().rules as { id: string }[]).map((r) => r.id)).toEqual(['a', 'b']);

    await user.click(screen.getByRole('button', { name: 'Remove Rule 1' }));
    expect((last().rules as { id: string }[]).map((r) => r.id)).toEqual(['b']);
    // At the minimum number of rules (1) the last one cannot be removed.
    expect((screen.getByRole('button', { name: 'Remove Rule 1' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows nested errors on the condition field they name', () => {
    setup(branchNode, initial, {
      errors: { 'rules.0.conditions.0.value': 'expected a number', rules: 'rule ids must be unique' },
    });
    const value = screen.getByLabelText('Value');
    expect(value.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(value.getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'expected a number',
    );
    const rules = screen.getByRole('group', { name: 'Rules' });
    expect(document.getElementById(rules.getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'rule ids must be unique',
    );
  });
});

describe('SchemaForm: split', () => {
  it('adds an arm with a fresh id and sets its percentage', async () => {
    const { user, last } = setup(splitNode, {
      arms: [
        { id: 'a', percent: 50 },
        { id: 'b', percent: 50 },
      ],
    });
    // Two arms is the minimum.
    expect((screen.getByRole('button', { name: 'Remove Arm 1' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: '+ Add arm' }));
    expect(last().arms).toEqual([{ id: 'a', percent: 50 }, { id: 'b', percent: 50 }, { id: 'arm-3' }]);
    const arm3 = screen.getByRole('group', { name: 'Arm 3 · arm-3' });
    await user.type(within(arm3).getByLabelText('Percent'), '20');
    await user.type(within(arm3).getByLabelText('Label'), 'Control');
    expect((last().arms as unknown[])[2]).toEqual({ id: 'arm-3', percent: 20, label: 'Control' });
    expect((screen.getByRole('button', { name: 'Remove Arm 1' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('shows an array-level error on the arms group', () => {
    setup(
      splitNode,
      {
        arms: [
          { id: 'a', percent: 50 },
          { id: 'b', percent: 40 },
        ],
      },
      { errors: { arms: 'percentages must add up to 100' } },
    );
    const arms = screen.getByRole('group', { name: 'Arms' });
    expect(within(arms).getByText('percentages must add up to 100').id).toBe(arms.getAttribute('aria-describedby'));
  });
});

describe('SchemaForm: update-contact', () => {
  it('adds a key/value row to set, renames the key and edits the value', async () => {
    const { user, last } = setup(updateContactNode, {});
    const add = screen.getByRole('button', { name: 'Add entry to Set' });
    await user.click(add);
    expect(last()).toEqual({ set: { '': '' } });
    // A second row cannot be added until the empty key is named.
    expect((add as HTMLButtonElement).disabled).toBe(true);
    expect(document.activeElement).toBe(screen.getByLabelText('Set key 1'));
    await user.keyboard('plan');
    expect(last()).toEqual({ set: { plan: '' } });
    await user.type(screen.getByLabelText('Set value 1'), 'gold');
    expect(last()).toEqual({ set: { plan: 'gold' } });

    await user.selectOptions(screen.getByLabelText('Set value 1 type'), 'True/false');
    expect(last()).toEqual({ set: { plan: false } });
    await user.click(screen.getByLabelText('Set value 1'));
    expect(last()).toEqual({ set: { plan: true } });
  });

  it('renaming keeps key order, refuses a duplicate key with a message, and rows can be removed', async () => {
    const { user, last } = setup(updateContactNode, { set: { a: '1', b: '2', c: '3' } });
    const key2 = screen.getByLabelText('Set key 2');
    await user.clear(key2);
    await user.type(key2, 'z');
    expect(Object.keys(last().set as object)).toEqual(['a', 'z', 'c']);

    const key3 = screen.getByLabelText('Set key 3');
    await user.clear(key3);
    await user.type(key3, 'a');
    expect(key3.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Another entry already uses this key').id).toBe(key3.getAttribute('aria-describedby'));
    expect(last()).toEqual({ set: { a: '1', z: '2', '': '3' } });

    await user.click(screen.getByRole('button', { name: 'Remove Set entry 1' }));
    expect(last()).toEqual({ set: { z: '2', '': '3' } });
  });

  it('edits tag lists and the optional score', async () => {
    const { user, last } = setup(updateContactNode, {});
    await user.click(screen.getByRole('button', { name: 'Add item to Add tags' }));
    await user.keyboard('vip');
    await user.type(screen.getByLabelText('Score delta'), '-5');
    expect(last()).toEqual({ addTags: ['vip'], scoreDelta: -5 });
  });
});

describe('SchemaForm: http-request', () => {
  it('edits headers as key/value rows', async () => {
    const { user, last } = setup(httpRequestNode, { url: 'https://example.com' });
    expect((screen.getByLabelText('Method') as HTMLSelectElement).selectedOptions[0]?.textContent).toBe(
      'Default (POST)',
    );
    await user.click(screen.getByRole('button', { name: 'Add entry to Headers' }));
    await user.keyboard('X-Token');
    await user.type(screen.getByLabelText('Headers value 1'), 'abc');
    expect(last()).toEqual({ url: 'https://example.com', headers: { 'X-Token': 'abc' } });
    await user.click(screen.getByRole('button', { name: 'Remove Headers entry 1' }));
    expect(last()).toEqual({ url: 'https://example.com', headers: {} });
  });

  it('the JSON body parses on blur, and a parse error is shown inline without calling onChange', async () => {
    const { user, last, onChange } = setup(httpRequestNode, { url: 'https://example.com' });
    const body = screen.getByLabelText('Body') as HTMLTextAreaElement;
    expect(body.tagName).toBe('TEXTAREA');
    await user.click(body);
    await user.paste('{"orderId": ');
    await user.tab();
    expect(onChange).not.toHaveBeenCalled();
    expect(body.getAttribute('aria-invalid')).toBe('true');
    const message = document.getElementById(body.getAttribute('aria-describedby') ?? '');
    expect(message?.textContent).toMatch(/^Not valid JSON/);
    expect(body.value).toBe('{"orderId": '); // what was typed is kept for fixing

    await user.clear(body);
    await user.paste('{"orderId": "{{trigger.orderId}}", "n": [1, 2]}');
    await user.tab();
    expect(last()).toEqual({ url: 'https://example.com', body: { orderId: '{{trigger.orderId}}', n: [1, 2] } });
    expect(body.getAttribute('aria-invalid')).toBeNull();
    expect(body.value).toBe(JSON.stringify({ orderId: '{{trigger.orderId}}', n: [1, 2] }, null, 2));

    await user.clear(body);
    await user.tab();
    expect(last()).toEqual({ url: 'https://example.com' });
  });

  it('every input, select and textarea has an associated label', async () => {
    const { user, view } = setup(
      httpRequestNode,
      { url: 'https://example.com', headers: { a: 'b' }, body: { x: 1 } },
      { variables },
    );
    await user.click(screen.getByRole('button', { name: 'Insert variable into Url' }));
    const controls = [...view.container.querySelectorAll('input, select, textarea')] as HTMLInputElement[];
    expect(controls.length).toBeGreaterThan(6);
    for (const el of controls) expect(el.labels?.length ?? 0, el.outerHTML).toBeGreaterThan(0);
  });
});

describe('SchemaForm: trigger', () => {
  it('switching source keeps only the discriminator and shows that branch’s fields', async () => {
    const { user, last } = setup(triggerNode, { source: 'api' });
    const source = screen.getByLabelText('Source') as HTMLSelectElement;
    expect([...source.options].map((o) => o.value)).toEqual([
      'api',
      'inbound-message',
      'contact-event',
      'campaign',
      'schedule',
    ]);
    await user.selectOptions(source, 'schedule');
    expect(last()).toEqual({ source: 'schedule' });
    const cron = screen.getByLabelText('Cron');
    expect(cron.getAttribute('aria-required')).toBe('true');
    expect(screen.getByLabelText('Time zone').getAttribute('placeholder')).toBe('UTC');
    await user.type(cron, '0 9 * * 1-5');
    expect(last()).toEqual({ source: 'schedule', cron: '0 9 * * 1-5' });

    await user.selectOptions(source, 'inbound-message');
    expect(last()).toEqual({ source: 'inbound-message' });
    expect(screen.queryByLabelText('Cron')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Add item to Keywords' }));
    await user.keyboard('STOP');
    expect(last()).toEqual({ source: 'inbound-message', keywords: ['STOP'] });
  });

  it('a trigger with no source yet asks for one', () => {
    setup(triggerNode, undefined);
    const source = screen.getByLabelText('Source') as HTMLSelectElement;
    expect(source.value).toBe('');
    expect(source.selectedOptions[0]?.textContent).toBe('Select…');
  });
});

describe('SchemaForm: handoff', () => {
  it('shows enum and boolean defaults and edits them', async () => {
    const { user, last } = setup(handoffNode, { team: 'support' });
    const priority = screen.getByLabelText('Priority') as HTMLSelectElement;
    expect(priority.selectedOptions[0]?.textContent).toBe('Default (normal)');
    await user.selectOptions(priority, 'urgent');
    expect(last()).toEqual({ team: 'support', priority: 'urgent' });

    const wait = screen.getByLabelText('Wait for resolution') as HTMLInputElement;
    expect(wait.type).toBe('checkbox');
    expect(wait.checked).toBe(true); // the default
    await user.click(wait);
    expect(last()).toEqual({ team: 'support', priority: 'urgent', waitForResolution: false });

    expect(screen.getByLabelText('Note').tagName).toBe('TEXTAREA');
    expect(screen.getByLabelText('Timeout').getAttribute('placeholder')).toBe('3d');
    expect(screen.getByLabelText('Team').getAttribute('aria-required')).toBe('true');
    expect(screen.getByLabelText('Sla policy id').getAttribute('aria-required')).toBeNull();
  });

  it('inserts a variable at the end of a field that was never focused', async () => {
    const { user, last } = setup(handoffNode, { team: 'support', note: 'Customer:' }, { variables });
    await user.click(screen.getByRole('button', { name: 'Insert variable into Note' }));
    await user.click(screen.getByRole('option', { name: /Last reply/ }));
    expect(last()).toEqual({ team: 'support', note: 'Customer:{{vars.lastReply}}' });
  });
});

describe('SchemaForm: schema metadata', () => {
  const Meta = {
    params: z.object({
      retryCount: z.number().int().min(0).max(5).describe('How many times to try again'),
      display: z.string().meta({ title: 'Display name' }).optional(),
      nick: z.string().nullable().optional(),
    }),
  };

  it('labels from title, shows description as help text linked with aria-describedby, unwraps nullable', () => {
    setup(Meta, {}, { errors: { retryCount: 'Required' } });
    const retry = screen.getByLabelText('Retry count');
    const ids = (retry.getAttribute('aria-describedby') ?? '').split(' ');
    expect(ids.map((id) => document.getElementById(id)?.textContent)).toEqual([
      'How many times to try again',
      'Required',
    ]);
    expect(screen.getByLabelText('Display name').tagName).toBe('INPUT');
    expect(screen.getByLabelText('Nick').tagName).toBe('INPUT');
  });

  it('shows an error on a repeatable group item and links it from the group', () => {
    setup(
      branchNode,
      { rules: [{ id: 'a', conditions: [{ field: 'contact.x', operator: 'exists' }] }] },
      { errors: { 'rules.0': 'this rule never matches' } },
    );
    const rule = screen.getByRole('group', { name: 'Rule 1 · a' });
    expect(document.getElementById(rule.getAttribute('aria-describedby') ?? '')?.textContent).toBe(
      'this rule never matches',
    );
  });
});
