import { type FormEvent, useState } from 'react';
import { useAction } from '../hooks';
import { Dialog, ErrorNotice, Field, Tabs, useToast } from '../ui';
import { parseTags, type SourceMeta, type UploadResult, useKnowledgeApi, VISIBILITIES } from './api';

type Kind = 'file' | 'text' | 'url';
const KINDS: ReadonlyArray<{ key: Kind; label: string }> = [
  { key: 'file', label: 'Upload files' },
  { key: 'text', label: 'Paste text' },
  { key: 'url', label: 'From a URL' },
];

/** Adds sources by file upload (PDF, DOCX, TXT, Markdown), pasted text or a URL; ingestion starts at once. */
export function AddSourceDialog({
  open,
  onClose,
  onAdded,
}: {
  open: boolean;
  onClose: () => void;
  onAdded: () => void;
}) {
  return (
    <Dialog title="Add a knowledge source" open={open} onClose={onClose}>
      <AddSourceForm onClose={onClose} onAdded={onAdded} />
    </Dialog>
  );
}

function AddSourceForm({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const kb = useKnowledgeApi();
  const toast = useToast();
  const [kind, setKind] = useState<Kind>('file');
  const [files, setFiles] = useState<File[]>([]);
  const [text, setText] = useState('');
  const [url, setUrl] = useState('');
  const [title, setTitle] = useState('');
  const [visibility, setVisibility] = useState<SourceMeta['visibility']>('public');
  const [tags, setTags] = useState('');
  const [category, setCategory] = useState('');
  // Files the API refused: the others of the batch were added, so the dialog stays open to say which.
  const [refused, setRefused] = useState<UploadResult['items']>([]);

  const submit = useAction(async () => {
    const meta: SourceMeta = { title, visibility, tags: parseTags(tags), category };
    if (kind === 'file') {
      const result = await kb.upload(files, meta);
      const added = result.items.filter((i) => i.source);
      const failed = result.items.filter((i) => i.error);
      if (added.length) {
        toast(`${added.length} file${added.length === 1 ? '' : 's'} added: ingesting`);
        onAdded();
      }
      setRefused(failed);
      if (!failed.length) onClose();
      return;
    }
    const source = kind === 'text' ? await kb.addText(text, meta) : await kb.addUrl(url, meta);
    toast(`${source.title} added: ingesting`);
    onAdded();
    onClose();
  });

  const ready =
    kind === 'file'
      ? files.length > 0
      : kind === 'text'
        ? text.trim() !== '' && title.trim() !== ''
        : url.trim() !== '';
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit.run();
  };

  return (
    <form className="kb-add" onSubmit={onSubmit}>
      <Tabs label="Kind of source" tabs={KINDS} active={kind} onChange={setKind} />
      {kind === 'file' && (
        <Field label="Files" hint="PDF, DOCX, TXT or Markdown; up to 20 files of 50 MB each">
          {(id) => (
            <input
              id={id}
              type="file"
              multiple
              accept=".pdf,.docx,.txt,.md,.markdown,text/plain,text/markdown,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
              onChange={(e) => setFiles([...(e.target.files ?? [])])}
            />
          )}
        </Field>
      )}
      {kind === 'text' && (
        <Field label="Text">
          {(id) => <textarea id={id} rows={8} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
      )}
      {kind === 'url' && (
        <Field label="URL" hint="Fetched by the ingestion workflow (http or https)">
          {(id) => (
            <input
              id={id}
              type="url"
              placeholder="https://example.com/help/shipping"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
          )}
        </Field>
      )}
      <div className="form-grid">
        <Field
          label="Title"
          hint={
            kind === 'text'
              ? 'Required'
              : kind === 'file'
                ? 'Default: the file name (one file only)'
                : 'Default: the URL'
          }
        >
          {(id) => (
            <input
              id={id}
              value={title}
              disabled={kind === 'file' && files.length > 1}
              onChange={(e) => setTitle(e.target.value)}
            />
          )}
        </Field>
        <Field label="Visibility" hint="Public sources may be quoted to customers; internal ones only to agents">
          {(id) => (
            <select
              id={id}
              value={visibility}
              onChange={(e) => setVisibility(e.target.value === 'internal' ? 'internal' : 'public')}
            >
              {VISIBILITIES.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Tags" hint="Comma-separated">
          {(id) => <input id={id} value={tags} onChange={(e) => setTags(e.target.value)} />}
        </Field>
        <Field label="Category">
          {(id) => <input id={id} value={category} onChange={(e) => setCategory(e.target.value)} />}
        </Field>
      </div>
      {refused.length > 0 && (
        <div className="notice notice-error" role="alert">
          <ul className="kb-refused">
            {refused.map((r) => (
              <li key={r.filename}>
                <strong>{r.filename}</strong>: <code>{r.error?.code}</code> {r.error?.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <ErrorNotice error={submit.error} onDismiss={submit.clear} />
      <div className="row kb-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={!ready || submit.busy}>
          {submit.busy ? 'Adding…' : 'Add source'}
        </button>
      </div>
    </form>
  );
}
