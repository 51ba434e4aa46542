/**
 * Reads TwiML the way a phone network executes it, for the sandbox network: the lines said before
 * the call waits for speech (or hangs up), and where the caller's answer goes. Only the verbs the
 * voice loop emits are understood (Say, Gather, Hangup, Redirect, Pause, Reject); others are
 * skipped, as Twilio would refuse them anyway.
 */

export interface TwimlStep {
  /** Everything said, in order, until the call waits or ends. */
  says: string[];
  /** A <Gather input="speech">: the caller's words are posted to `action`. */
  gather?: { action: string; method: string };
  redirect?: string;
  /** The document ended the call: <Hangup/>, <Reject/>, or it ran out of verbs. */
  hangup: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Array<Element | string>;
}

const TOKEN =
  /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTR = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export class TwimlUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwimlUnreadable';
  }
}

function parse(xml: string): Element {
  const root: Element = { name: '#root', attrs: {}, children: [] };
  const stack: Element[] = [root];
  for (const m of xml.matchAll(TOKEN)) {
    const [whole, closing, name, rawAttrs, selfClosing, text] = m;
    const top = stack[stack.length - 1] as Element;
    if (text !== undefined) {
      top.children.push(unescapeXml(text));
      continue;
    }
    if (!name) continue; // a comment or the XML declaration
    if (closing) {
      if (top.name !== name) throw new TwimlUnreadable(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (rawAttrs ?? '').matchAll(ATTR)) attrs[a[1] as string] = unescapeXml(a[2] ?? a[3] ?? '');
    const element: Element = { name, attrs, children: [] };
    top.children.push(element);
    if (!selfClosing && !whole.endsWith('/>')) stack.push(element);
  }
  if (stack.length !== 1) throw new TwimlUnreadable(`<${stack[stack.length - 1]?.name}> is never closed`);
  return root;
}

const textOf = (e: Element): string =>
  e.children
    .map((c) => (typeof c === 'string' ? c : textOf(c)))
    .join('')
    .trim();

/** The next step of a call from one TwiML document. */
export function readTwiml(xml: string): TwimlStep {
  const root = parse(xml);
  const response = root.children.find((c): c is Element => typeof c !== 'string' && c.name === 'Response');
  if (!response) throw new TwimlUnreadable('no <Response> element');
  const says: string[] = [];
  for (const verb of response.children) {
    if (typeof verb === 'string') continue;
    switch (verb.name) {
      case 'Say':
        says.push(textOf(verb));
        break;
      case 'Gather': {
        for (const inner of verb.children)
          if (typeof inner !== 'string' && inner.name === 'Say') says.push(textOf(inner));
        const action = verb.attrs.action;
        if (!action) throw new TwimlUnreadable('<Gather> without an action');
        return { says, gather: { action, method: verb.attrs.method ?? 'POST' }, hangup: false };
      }
      case 'Redirect':
        return { says, redirect: textOf(verb), hangup: false };
      case 'Hangup':
      case 'Reject':
        return { says, hangup: true };
      default:
        break;
    }
  }
  return { says, hangup: true };
}
