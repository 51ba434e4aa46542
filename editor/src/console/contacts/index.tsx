import { useEffect, useState } from 'react';
import type { AreaProps } from '../area';
import { ContactDetail } from './contact-detail';
import { ContactList } from './contact-list';
import { filterFromQuery } from './filter-model';
import { ImportContacts } from './import-contacts';
import { PipelineBoard } from './pipeline-board';
import './contacts.css';

/**
 * `#/contacts` (the list; `?segment=<id>` opens a saved segment, `?filter=<json>` a filter),
 * `#/contacts/pipeline`, `#/contacts/import` and `#/contacts/:id`.
 */
export function ContactsArea({ rest, query }: AreaProps) {
  const visit = useVisit();
  const [first] = rest;
  if (first === 'pipeline') return <PipelineBoard />;
  if (first === 'import') return <ImportContacts />;
  if (first) return <ContactDetail key={first} contactId={first} />;
  // Every navigation to the list (a segment link, "All contacts") starts it again from the URL; the
  // list's own URL updates (replaceState, no hashchange) do not.
  return (
    <ContactList key={visit} segmentId={query.get('segment')} initialFilter={filterFromQuery(query.get('filter'))} />
  );
}

/** Counts hash navigations. */
function useVisit(): number {
  const [visit, setVisit] = useState(0);
  useEffect(() => {
    const on = () => setVisit((v) => v + 1);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return visit;
}
