/**
 * Resolves `{{path.to.value}}` placeholders against a scope, e.g. `{{contact.firstName}}`.
 * A pure path lookup: no evaluation, no user code. `{{x | default: "there"}}` supplies a fallback
 * for a missing or empty value.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|\s*default:\s*"([^"]*)"\s*)?\}\}/g;
const MAX_DEPTH = 16;

export function lookupPath(scope: unknown, path: string): unknown {
  const parts = path.split('.');
  if (parts.length > MAX_DEPTH) return undefined;
  let value: unknown = scope;
  for (const part of parts) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export function renderTemplate(template: string, scope: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (_match, path: string, fallback: string | undefined) => {
    const value = lookupPath(scope, path);
    if (value === undefined || value === null || value === '') return fallback ?? '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
