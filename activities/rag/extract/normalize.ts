// Every extractor ends here, so chunks, hashes and embeddings see one canonical form of the text
// whatever it came from: the same document uploaded as PDF or pasted keeps the same chunk hashes
// as far as its words allow.

// Horizontal spaces: tab, space, no-break and the typographic spaces PDF and Word producers
// sprinkle. Each pattern can only start at the beginning of a run of them (a line start, or after
// a non-space), so a megabyte of spaces costs one pass, not one pass per space.
const LEADING_SPACE = /^[\t \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/gm;
const TRAILING_SPACE =
  /(?<![\t \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000])[\t \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+$/gm;
const INNER_SPACE_RUN = /(?<=\S)(?:[\t \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]{2,}|\t)/g;
/** Control characters other than newline and tab (NUL included): noise from binary formats. */
const CONTROL = /[^\P{Cc}\n\t]/gu;
/** A half of a surrogate pair without its other half cannot be encoded as UTF-8 (and breaks hashing). */
const LONE_SURROGATE = /\p{Cs}/gu;

export interface NormalizeOptions {
  /**
   * Keep each line's leading whitespace (Markdown: indentation makes code blocks and nested
   * lists). Everything else loses it: in extracted PDF or HTML text it is layout, not meaning.
   */
  keepIndentation?: boolean;
}

/**
 * Canonical text: NFC, `\n` line ends, no control characters, no zero-width BOMs or soft hyphens,
 * runs of spaces collapsed to one, no trailing spaces, paragraphs separated by exactly one blank
 * line, no blank lines at either end. A lone non-tab space stays as written (a single U+3000
 * between Japanese phrases or a deliberate no-break space is part of the text); runs of two or
 * more, and tabs, become one ASCII space.
 */
export function normalizeText(raw: string, { keepIndentation = false }: NormalizeOptions = {}): string {
  const text = raw
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?|\u2028|\v/g, '\n')
    // Form feeds are page breaks in plain-text exports; a paragraph separator is a paragraph break.
    .replace(/\f|\u2029/g, '\n\n')
    // U+FEFF inside text is a BOM left over from concatenated files; U+00AD is an invisible hyphen
    // that splits words for search.
    .replace(/[\uFEFF\u00AD]/g, '')
    .replace(CONTROL, '')
    .normalize('NFC')
    .replace(TRAILING_SPACE, '')
    .replace(INNER_SPACE_RUN, ' ')
    .replace(/\n{3,}/g, '\n\n');
  const unindented = keepIndentation ? text : text.replace(LEADING_SPACE, '');
  // Blank lines at the ends only (the first line's indentation, if kept, stays).
  return unindented.replace(/^\n+|\n+$/g, '');
}

/** True when nothing readable is left (whitespace of any script counts as nothing). */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}
