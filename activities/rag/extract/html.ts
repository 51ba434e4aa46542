// HTML to readable text without a DOM: the only HTML parsers installed (parse5 through jsdom) are
// development dependencies. A single forward scan over tags and text is enough for indexing: we
// need the words and where paragraphs break, not a tree. Malformed markup degrades to more or less
// text, never to an exception.

import { decodeEntities } from './entities';
import { normalizeText } from './normalize';

export interface HtmlText {
  text: string;
  title?: string;
}

/** Raw-text elements: their content is not markup, so it runs to the matching end tag. Dropped. */
const RAW_TEXT = new Set(['script', 'style', 'noscript', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes']);
/** Elements whose content is chrome, code or widgets rather than the page's text. Dropped. */
const SKIPPED = new Set(['head', 'nav', 'template', 'svg', 'math', 'select', 'object', 'canvas', 'audio', 'video']);
const PARAGRAPH = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'caption',
  'center',
  'details',
  'dialog',
  'div',
  'dl',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'html',
  'legend',
  'main',
  'menu',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'ul',
]);
const LINE = new Set(['br', 'dd', 'dt', 'li', 'tr', 'option']);
const CELL = new Set(['td', 'th']);

/** Text, paragraph structure and title of an HTML document. */
export function htmlToText(html: string): HtmlText {
  const out: string[] = [];
  const skipping: string[] = [];
  let preDepth = 0;
  let title: string | undefined;
  let firstHeading: { from: number } | 'done' | undefined;
  let headingText: string | undefined;
  let i = 0;

  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const textEnd = lt === -1 ? html.length : lt;
    if (textEnd > i) {
      if (skipping.length === 0) out.push(textNode(html.slice(i, textEnd), preDepth > 0));
      i = textEnd;
      continue;
    }

    if (html.startsWith('<!--', i)) {
      const close = html.indexOf('-->', i + 4);
      i = close === -1 ? html.length : close + 3;
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      // Doctype, CDATA, processing instruction: no text worth keeping.
      const close = html.indexOf('>', i);
      i = close === -1 ? html.length : close + 1;
      continue;
    }

    const tag = readTag(html, i);
    if (tag === 'not-a-tag') {
      // A `<` that opens nothing (`a < b`): it is text.
      if (skipping.length === 0) out.push('<');
      i += 1;
      continue;
    }
    // A tag still open at the end of the document swallows the rest, as in browsers; stopping
    // also keeps the scan linear on hostile input (thousands of `<x` and no `>`).
    if (tag === 'unterminated') break;
    i = tag.next;
    const { name } = tag;

    if (tag.closing) {
      if (skipping.length > 0) {
        const at = skipping.lastIndexOf(name);
        if (at !== -1) skipping.length = at;
        continue;
      }
      if (name === 'pre') preDepth = Math.max(0, preDepth - 1);
      if (name === 'h1' && firstHeading && firstHeading !== 'done') {
        headingText = out.slice(firstHeading.from).join('');
        firstHeading = 'done';
      }
      out.push(breakFor(name, 'end'));
      continue;
    }

    if (name === 'title') {
      const { content, next } = rawContent(html, i, name);
      i = next;
      // An SVG's <title> is a tooltip, not the page's name.
      if (title === undefined && !skipping.includes('svg') && !skipping.includes('math')) {
        title = singleLine(decodeEntities(content)) || undefined;
      }
      continue;
    }
    if (RAW_TEXT.has(name)) {
      i = rawContent(html, i, name).next;
      continue;
    }
    if (SKIPPED.has(name) && !tag.selfClosing) {
      skipping.push(name);
      continue;
    }
    if (skipping.length > 0) continue;

    if (name === 'pre') preDepth += 1;
    if (name === 'h1' && firstHeading === undefined) firstHeading = { from: out.length + 1 };
    out.push(breakFor(name, 'start'));
  }

  const text = normalizeText(out.join(''));
  const heading = headingText === undefined ? undefined : singleLine(headingText);
  return { text, title: title ?? (heading || undefined) };
}

/**
 * What a tag contributes to the text. Paragraph-level elements are set apart by a blank line on
 * both sides; list items, rows and cells only start a new line (or cell), so a list stays one
 * paragraph of lines.
 */
interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  /** Index just past the tag's `>`. */
  next: number;
}

/**
 * The start or end tag at `from` (which holds a `<`). Quoted attribute values may contain `>`
 * (and can be megabytes long: inline `data:` images), so the end is found by walking the tag,
 * skipping over a quoted value wherever an `=` introduces one.
 */
function readTag(html: string, from: number): Tag | 'not-a-tag' | 'unterminated' {
  const closing = html[from + 1] === '/';
  const nameStart = from + (closing ? 2 : 1);
  if (!isAsciiLetter(html.charCodeAt(nameStart))) return 'not-a-tag';
  let nameEnd = nameStart;
  while (nameEnd < html.length) {
    const c = html.charCodeAt(nameEnd);
    if (isHtmlSpace(c) || c === 0x2f /* / */ || c === 0x3e /* > */) break;
    nameEnd++;
  }

  let afterEquals = false;
  for (let j = nameEnd; j < html.length; j++) {
    const c = html[j] as string;
    if (c === '>') {
      const selfClosing = html[j - 1] === '/';
      return { name: html.slice(nameStart, nameEnd).toLowerCase(), closing, selfClosing, next: j + 1 };
    }
    if ((c === '"' || c === "'") && afterEquals) {
      const close = html.indexOf(c, j + 1);
      if (close === -1) return 'unterminated';
      j = close;
      afterEquals = false;
      continue;
    }
    if (c === '=') afterEquals = true;
    else if (!isHtmlSpace(c.charCodeAt(0))) afterEquals = false;
  }
  return 'unterminated';
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** Tab, line feed, form feed, carriage return, space: HTML's whitespace. */
function isHtmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

function breakFor(name: string, side: 'start' | 'end'): string {
  if (PARAGRAPH.has(name)) return '\n\n';
  if (side === 'end') return '';
  if (LINE.has(name)) return '\n';
  if (CELL.has(name)) return ' ';
  return '';
}

/** Text between elements: HTML whitespace collapses to one space, except inside <pre>. */
function textNode(raw: string, preformatted: boolean): string {
  const text = preformatted ? raw : raw.replace(/[ \t\n\f\r]+/g, ' ');
  return decodeEntities(text);
}

const closingTags = new Map<string, RegExp>();

/** The content of a raw-text element up to its end tag (or the end of the document if unclosed). */
function rawContent(html: string, from: number, name: string): { content: string; next: number } {
  let closing = closingTags.get(name);
  if (!closing) {
    closing = new RegExp(`</${name}[\\s/>]`, 'gi');
    closingTags.set(name, closing);
  }
  closing.lastIndex = from;
  const match = closing.exec(html);
  if (!match) return { content: html.slice(from), next: html.length };
  const gt = html.indexOf('>', match.index);
  return { content: html.slice(from, match.index), next: gt === -1 ? html.length : gt + 1 };
}

function singleLine(text: string): string {
  return normalizeText(text).replace(/\s+/g, ' ').trim();
}
