import { type DragEvent, useState } from 'react';
import { useAction, useResource } from '../hooks';
import { ErrorNotice, Loading, useToast } from '../ui';
import { type Contact, type ContactPage, displayName, type Stage, useContactsApi } from './api';
import { ContactsHeader } from './contacts-header';

/** How many cards a column shows; the list (filtered by that status) has the rest. */
const COLUMN_LIMIT = 100;
const NO_STAGE = { key: '', label: 'No stage' };
const DRAG_TYPE = 'application/x-switchboard-contact';

/**
 * `#/contacts/pipeline`: a column per lead stage (and one for contacts in none). A card moves by its
 * stage select (keyboard) or by dragging it onto another column; either PATCHes the contact's
 * leadStatus, which records the change on its timeline.
 */
export function PipelineBoard() {
  const api = useContactsApi();
  const toast = useToast();
  const [version, setVersion] = useState(0);
  const stages = useResource(() => api.stages(), 'stages');
  const stageList = stages.data?.items ?? [];
  const keys = stageList.map((s) => s.key);
  const board = useResource(
    async (): Promise<Array<{ stage: { key: string; label: string }; page: ContactPage }>> => {
      // Until the stages are known there are no columns (and "not in any stage" cannot be said).
      if (!stages.data) return [];
      const columns = [...stageList, NO_STAGE];
      const pages = await Promise.all(
        columns.map((s) =>
          api.list(
            {
              match: 'all',
              conditions: [
                s.key
                  ? { type: 'leadStatus', op: 'in', values: [s.key] }
                  : { type: 'leadStatus', op: 'not-in', values: keys },
              ],
            },
            null,
            COLUMN_LIMIT,
          ),
        ),
      );
      return columns.map((stage, i) => ({ stage, page: pages[i] ?? { items: [], nextCursor: null } }));
    },
    `${keys.join(',')}#${version}`,
  );
  const move = useAction(async (contact: Contact, to: string) => {
    if ((contact.leadStatus ?? '') === to) return;
    await api.update(contact.id, { leadStatus: to || null });
    const label = stageList.find((s) => s.key === to)?.label ?? NO_STAGE.label;
    toast(`${displayName(contact)} moved to ${label}`);
    setVersion((v) => v + 1);
  });
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const byId = new Map(board.data?.flatMap((col) => col.page.items.map((c) => [c.id, c] as const)) ?? []);

  const onDrop = (e: DragEvent, key: string) => {
    e.preventDefault();
    setDropTarget(null);
    const contact = byId.get(e.dataTransfer.getData(DRAG_TYPE));
    if (contact) void move.run(contact, key);
  };

  return (
    <main className="console-page">
      <ContactsHeader view="pipeline" />
      <ErrorNotice error={stages.error ?? board.error ?? move.error} onDismiss={move.error ? move.clear : undefined} />
      {!board.data || !stages.data ? (
        <Loading />
      ) : (
        <div className="ct-board" aria-busy={move.busy}>
          {board.data.map(({ stage, page }) => (
            <section
              key={stage.key || 'none'}
              className={dropTarget === stage.key ? 'ct-column ct-drop' : 'ct-column'}
              aria-label={stage.label}
              onDragOver={(e) => {
                if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
                e.preventDefault();
                setDropTarget(stage.key);
              }}
              onDragLeave={() => setDropTarget((t) => (t === stage.key ? null : t))}
              onDrop={(e) => onDrop(e, stage.key)}
            >
              <h2>
                {stage.label}{' '}
                <span className="muted ct-small">
                  {page.items.length}
                  {page.nextCursor ? '+' : ''}
                </span>
              </h2>
              <ul>
                {page.items.map((c) => (
                  <Card
                    key={c.id}
                    contact={c}
                    stages={stageList}
                    disabled={move.busy}
                    onMove={(to) => void move.run(c, to)}
                  />
                ))}
              </ul>
              {page.nextCursor && stage.key && (
                <a
                  className="ct-small"
                  href={`#/contacts?filter=${encodeURIComponent(JSON.stringify({ match: 'all', conditions: [{ type: 'leadStatus', op: 'in', values: [stage.key] }] }))}`}
                >
                  All in {stage.label}
                </a>
              )}
            </section>
          ))}
        </div>
      )}
    </main>
  );
}

function Card({
  contact: c,
  stages,
  disabled,
  onMove,
}: {
  contact: Contact;
  stages: readonly Stage[];
  disabled: boolean;
  onMove: (to: string) => void;
}) {
  const name = displayName(c);
  return (
    <li
      className="ct-card"
      draggable={!disabled}
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TYPE, c.id);
        e.dataTransfer.effectAllowed = 'move';
      }}
    >
      <a href={`#/contacts/${encodeURIComponent(c.id)}`}>{name}</a>
      <div className="muted ct-small">{c.phone ?? c.email ?? ''}</div>
      {c.tags.length > 0 && (
        <div>
          {c.tags.slice(0, 4).map((t) => (
            <span key={t} className="ct-tag">
              {t}
            </span>
          ))}
        </div>
      )}
      <div className="ct-move">
        <select
          aria-label={`Stage of ${name}`}
          value={c.leadStatus ?? ''}
          disabled={disabled}
          onChange={(e) => onMove(e.target.value)}
        >
          {stages.map((s) => (
            <option key={s.key} value={s.key}>
              {s.label}
            </option>
          ))}
          <option value="">{NO_STAGE.label}</option>
        </select>
      </div>
    </li>
  );
}
