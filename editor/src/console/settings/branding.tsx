import { type FormEvent, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useAction } from '../hooks';
import { Field, SubmitRow, useToast } from '../ui';
import { type Branding, type SettingsApi, useSettingsApi } from './api';
import { ApiErrorNotice } from './form-parts';
import './settings.css';

// The tenant's brand, shared by the top bar's mark and the branding form: one small store, so a
// save shows in the top bar at once without a reload.
let current: Branding | null = null;
let loading = false;
const listeners = new Set<() => void>();
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};
function publish(brand: Branding) {
  current = brand;
  for (const l of listeners) l();
}
function loadOnce(api: SettingsApi) {
  if (current || loading) return;
  loading = true;
  api.branding().then(publish, () => {
    // A key without members.read, or an API from before branding: the product's own mark stays.
    loading = false;
  });
}

function useBrand(): Branding | null {
  const api = useSettingsApi();
  useEffect(() => loadOnce(api), [api]);
  return useSyncExternalStore(subscribe, () => current);
}

/** The theme's accent follows the brand colour; the theme's own comes back when it is cleared. */
function applyAccent(color: string | null) {
  const root = document.documentElement.style;
  if (color) root.setProperty('--sb-accent', color);
  else root.removeProperty('--sb-accent');
}

/** The top bar's mark: the tenant's logo and name (Switchboard until the brand has loaded). */
export function BrandMark() {
  const brand = useBrand();
  useEffect(() => applyAccent(brand?.color ?? null), [brand?.color]);
  return (
    <a href="#/" className="brand brand-mark">
      {brand?.logoUrl && <img src={brand.logoUrl} alt="" />}
      <span>{brand?.name ?? 'Switchboard'}</span>
    </a>
  );
}

const HEX = /^#[0-9a-fA-F]{6}$/;
const DEFAULT_ACCENT = '#2563eb';

export function BrandingSection() {
  const api = useSettingsApi();
  const toast = useToast();
  const brand = useBrand();
  const [name, setName] = useState('');
  const [logoUrl, setLogoUrl] = useState('');
  const [color, setColor] = useState('');
  const [loaded, setLoaded] = useState(false);
  // The form starts from the saved brand once it arrives, and is never overwritten after that.
  useEffect(() => {
    if (!brand || loaded) return;
    setName(brand.name);
    setLogoUrl(brand.logoUrl ?? '');
    setColor(brand.color ?? '');
    setLoaded(true);
  }, [brand, loaded]);
  const save = useAction(async () => {
    publish(await api.saveBranding({ name, logoUrl: logoUrl.trim() || null, color: color.trim() || null }));
    toast('Branding saved');
  });
  const [fileError, setFileError] = useState<string | null>(null);
  const readFile = (file: File | undefined) => {
    setFileError(null);
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => typeof reader.result === 'string' && setLogoUrl(reader.result);
    reader.onerror = () => setFileError('the file could not be read');
    reader.readAsDataURL(file);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  const uploaded = logoUrl.startsWith('data:');
  return (
    <div className="grid-2">
      <form className="panel" onSubmit={submit} aria-label="Branding" noValidate>
        <h2>Branding</h2>
        <Field label="Name shown">
          {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Accent colour (hex)" hint="Buttons, links and highlights; the theme's own when empty.">
          {(id) => (
            <div className="color-field">
              <input
                type="color"
                aria-label="Accent colour picker"
                value={HEX.test(color) ? color.toLowerCase() : DEFAULT_ACCENT}
                onChange={(e) => setColor(e.target.value)}
              />
              <input id={id} value={color} placeholder={DEFAULT_ACCENT} onChange={(e) => setColor(e.target.value)} />
            </div>
          )}
        </Field>
        <Field
          label="Logo URL"
          hint={
            uploaded
              ? `An uploaded image (${Math.round((logoUrl.length * 3) / 4 / 1024)} KB).`
              : 'https://…, or upload below.'
          }
        >
          {(id) => (
            <input
              id={id}
              value={uploaded ? '' : logoUrl}
              placeholder={uploaded ? 'Uploaded image' : 'https://cdn.example.com/logo.png'}
              onChange={(e) => setLogoUrl(e.target.value)}
            />
          )}
        </Field>
        <Field label="Upload a logo" hint="PNG, JPEG, GIF, WebP or SVG, up to about 150 KB." error={fileError}>
          {(id) => (
            <input
              id={id}
              type="file"
              accept="image/png,image/jpeg,image/gif,image/webp,image/svg+xml"
              onChange={(e) => readFile(e.target.files?.[0])}
            />
          )}
        </Field>
        {logoUrl && (
          <div>
            <button type="button" onClick={() => setLogoUrl('')}>
              Remove logo
            </button>
          </div>
        )}
        <ApiErrorNotice error={save.error} onDismiss={save.clear} />
        <SubmitRow label="Save branding" busy={save.busy} />
      </form>
      <BrandPreview name={name} logoUrl={logoUrl} color={HEX.test(color) ? color : null} />
    </div>
  );
}

/** How the console will look, before saving: its own accent scope, not the page's. */
function BrandPreview({ name, logoUrl, color }: { name: string; logoUrl: string; color: string | null }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const style = ref.current?.style;
    if (!style) return;
    if (color) style.setProperty('--sb-accent', color);
    else style.removeProperty('--sb-accent');
  }, [color]);
  return (
    <section ref={ref} className="panel" aria-label="Preview">
      <h2>Preview</h2>
      <div className="brand-preview">
        <div className="preview-bar">
          {logoUrl && <img src={logoUrl} alt="Logo preview" height={24} />}
          <strong>{name || 'Your name'}</strong>
        </div>
        <div className="preview-body">
          <button type="button" className="primary" tabIndex={-1}>
            Primary action
          </button>
          <span className="preview-link" style={{ color: 'var(--sb-accent)' }}>
            A link
          </span>
          <span className="brand-swatch" style={{ background: 'var(--sb-accent)' }} />
        </div>
      </div>
    </section>
  );
}
