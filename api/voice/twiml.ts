/**
 * TwiML, the XML Twilio (and the sandbox network, which speaks its dialect) reads to know what to
 * say and what to listen for. Pure string builders: every text and attribute goes through
 * `escapeXml`, so a customer's words or an agent's script can never break out of a <Say>.
 */

/**
 * XML 1.0 allows tab, LF, CR and everything from U+0020 except lone surrogates and U+FFFE/U+FFFF;
 * anything else makes the whole document unparseable, so it is dropped rather than escaped.
 */
function xmlChars(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const allowed =
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      cp > 0xffff;
    if (allowed) out += ch;
  }
  return out;
}

export function escapeXml(text: string): string {
  return xmlChars(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export const TWIML_CONTENT_TYPE = 'text/xml; charset=utf-8';

export interface SpeechSettings {
  /** A Twilio <Say> voice (Polly.Joanna, Google.en-US-Neural2-F, alice…). */
  voice: string;
  /** BCP-47, e.g. en-US. */
  language: string;
}

function attributes(attrs: Record<string, string | number | boolean | undefined>): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

export function say(text: string, speech: SpeechSettings): string {
  return `<Say${attributes({ voice: speech.voice, language: speech.language })}>${escapeXml(text)}</Say>`;
}

export const hangup = (): string => '<Hangup/>';

export function response(...verbs: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs.join('')}</Response>`;
}

export interface GatherOptions extends SpeechSettings {
  /** Where Twilio posts the SpeechResult. */
  action: string;
  /** Let the caller interrupt the prompt by speaking. */
  bargeIn: boolean;
  /** Seconds of silence before an empty result is posted. */
  timeoutSeconds?: number;
}

/**
 * Say `prompt`, then listen for speech and post it to `action`; an empty result is posted too
 * (actionOnEmptyResult), so silence reaches the loop instead of ending the call.
 */
export function gather(prompt: string, options: GatherOptions): string {
  const attrs = attributes({
    input: 'speech',
    action: options.action,
    method: 'POST',
    speechTimeout: 'auto',
    timeout: options.timeoutSeconds ?? 5,
    language: options.language,
    bargeIn: options.bargeIn,
    actionOnEmptyResult: true,
  });
  return `<Gather${attrs}>${say(prompt, options)}</Gather>`;
}

/** Say the line, listen for the answer. */
export function promptTwiml(prompt: string, options: GatherOptions): string {
  return response(gather(prompt, options));
}

/** Say the line (when there is one), then end the call. */
export function closingTwiml(line: string | undefined, speech: SpeechSettings): string {
  return response(...(line ? [say(line, speech)] : []), hangup());
}
