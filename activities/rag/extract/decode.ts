// Bytes to string for the text formats (plain text, Markdown, HTML).

type Bom = 'utf-8' | 'utf-16le' | 'utf-16be';

export function byteOrderMark(bytes: Uint8Array): Bom | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/**
 * Decodes text. A byte order mark wins over everything (it is the file speaking for itself), then
 * the declared charset, then UTF-8. Invalid sequences become U+FFFD rather than failing: a stray
 * Latin-1 byte in a long document should cost one character, not the upload. The BOM itself is
 * dropped (TextDecoder's default).
 */
export function decodeText(bytes: Uint8Array, declaredCharset?: string): string {
  const encoding = byteOrderMark(bytes) ?? supportedCharset(declaredCharset) ?? 'utf-8';
  return new TextDecoder(encoding).decode(bytes);
}

function supportedCharset(label: string | undefined): string | undefined {
  if (!label) return undefined;
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    // An unknown label (a typo, or an encoding this ICU build lacks): UTF-8 is the best guess.
    return undefined;
  }
}

/** The `charset` parameter of a Content-Type header, if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1];
}

/** An HTML document's own `<meta charset>` / `http-equiv` declaration, from its first bytes (as browsers do). */
export function sniffHtmlCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  return /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1];
}

/**
 * Whether bytes of unknown type are text we can index: a BOM, or valid UTF-8 without NUL bytes in
 * the first 64 KB. Binary formats almost always have a NUL or an invalid sequence early.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (byteOrderMark(bytes)) return true;
  const sample = bytes.subarray(0, 64 * 1024);
  if (sample.includes(0)) return false;
  try {
    // `stream: true` so a multi-byte character cut by the sample's end is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}
