import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../activities/http/address';
import { type ExtractionErrorCode, isExtractionError } from '../../activities/rag/extract/errors';
import { extractFromUrl, extractText, fetchSource } from '../../activities/rag/extract/index';

// Fixtures are built here, never committed: small, readable, and they say what they exercise.

const MULTILINGUAL = [
  'English: the refund window is thirty days.',
  'Español: el plazo de devolución es de treinta días, ¿de acuerdo? ¡Sí!',
  '日本語：返金期間は三十日です。',
  'العربية: فترة الاسترداد ثلاثون يوما.',
  'Emoji: 😀 👩‍👩‍👧‍👦 🇯🇵 ✅',
].join('\n\n');

async function makePdf(pages: string[], title?: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  if (title) doc.setTitle(title);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = doc.addPage([400, 400]);
    if (text) page.drawText(text, { x: 20, y: 300, size: 12, font });
  }
  return doc.save();
}

/**
 * pdf-lib cannot encrypt, so: a one-page PDF written by hand whose trailer names a standard
 * security handler (/V 1 /R 2). The /U string does not match the empty user password, so pdf.js
 * asks for a password (PasswordException) before it reads anything else.
 */
function makeEncryptedPdf(): Uint8Array {
  const hex = (seed: number, bytes: number) =>
    Array.from({ length: bytes }, (_, i) => ((i * 37 + seed) & 0xff).toString(16).padStart(2, '0')).join('');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>',
    '<< /Length 0 >>\nstream\n\nendstream',
    `<< /Filter /Standard /V 1 /R 2 /O <${hex(1, 32)}> /U <${hex(2, 32)}> /P -44 >>`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  const id = hex(3, 16);
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 5 0 R /ID [<${id}> <${id}>] >>\n`;
  pdf += `startxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(pdf);
}

/** A zip with stored (uncompressed) entries: enough for mammoth, no zip library needed. */
function makeZip(entries: Record<string, string>): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(content, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0x00210000, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function makeDocx(paragraphs: string[]): Uint8Array {
  const body = paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(p)}</w:t></w:r></w:p>`).join('');
  return makeZip({
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
      '</Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
      '</Relationships>',
    'word/document.xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
      `<w:body>${body}</w:body></w:document>`,
  });
}

function utf16(text: string, order: 'le' | 'be'): Uint8Array {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  if (order === 'be') le.swap16();
  return new Uint8Array(le);
}

const file = (filename: string, bytes: Uint8Array, contentType?: string) =>
  ({ kind: 'file', filename, bytes, ...(contentType ? { contentType } : {}) }) as const;

/** Resolves to the ExtractionError the promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>, code: ExtractionErrorCode) {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${code}, but it succeeded`);
    },
    (e: unknown) => e,
  );
  if (!isExtractionError(error)) throw error;
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  expect(error.message.length).toBeGreaterThan(10);
  return error;
}

describe('extractText: files', () => {
  it('reads both pages of a PDF, with its page count and title', async () => {
    const pdf = await makePdf(['Refunds are accepted within 30 days.', 'Shipping takes two business days.'], 'Policy');
    const result = await extractText(file('policy.pdf', pdf));
    expect(result.format).toBe('pdf');
    expect(result.pages).toBe(2);
    expect(result.title).toBe('Policy');
    // A page break is a paragraph break, so the chunker can cut there.
    expect(result.text).toBe('Refunds are accepted within 30 days.\n\nShipping takes two business days.');
    // The caller's bytes are not detached by pdf.js.
    expect(pdf.byteLength).toBeGreaterThan(0);
  });

  it('refuses an encrypted PDF with pdf_encrypted', async () => {
    const error = await rejection(extractText(file('secret.pdf', makeEncryptedPdf())), 'pdf_encrypted');
    expect(error.retryable).toBe(false);
    expect((error.cause as Error).name).toBe('PasswordException');
  });

  it('refuses a truncated PDF with pdf_corrupt', async () => {
    const pdf = await makePdf(['Some text that will be cut off.', 'More text.']);
    await rejection(extractText(file('cut.pdf', pdf.slice(0, Math.floor(pdf.length / 2)))), 'pdf_corrupt');
    await rejection(extractText(file('header-only.pdf', new TextEncoder().encode('%PDF-1.7\n'))), 'pdf_corrupt');
  });

  it('says a PDF without a text layer is empty', async () => {
    await rejection(extractText(file('scan.pdf', await makePdf(['']))), 'empty_document');
  });

  it('reads a DOCX, paragraph by paragraph, in any language', async () => {
    const docx = makeDocx(['Refund policy', 'Refunds are accepted within 30 days.', ...MULTILINGUAL.split('\n\n')]);
    const result = await extractText(file('policy.docx', docx));
    expect(result.format).toBe('docx');
    expect(result.text).toBe(['Refund policy', 'Refunds are accepted within 30 days.', MULTILINGUAL].join('\n\n'));
  });

  it('recognises a DOCX by its bytes whatever its name', async () => {
    const result = await extractText(file('upload.bin', makeDocx(['Hello from Word']), 'application/octet-stream'));
    expect(result).toEqual({ text: 'Hello from Word', format: 'docx' });
  });

  it('refuses garbage named .docx with docx_corrupt', async () => {
    const garbage = new Uint8Array(Buffer.from('this is not a zip file at all, just bytes \x01\x02\x03'));
    await rejection(extractText(file('report.docx', garbage)), 'docx_corrupt');
    const notWord = makeZip({ 'hello.txt': 'a zip, but not a Word document' });
    await rejection(extractText(file('report.docx', notWord)), 'docx_corrupt');
  });

  it('refuses binary formats it cannot read with unsupported_type', async () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13);
    await rejection(extractText(file('notes.txt', png, 'text/plain')), 'unsupported_type');
    const legacyWord = Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0);
    const error = await rejection(extractText(file('old.doc', legacyWord)), 'unsupported_type');
    expect(error.message).toContain('.docx');
    await rejection(extractText(file('data.bin', Uint8Array.of(0, 1, 2, 3, 250, 251, 0, 7))), 'unsupported_type');
    await rejection(extractText(file('sheet.xlsx', makeZip({ 'xl/workbook.xml': '<workbook/>' }))), 'unsupported_type');
  });

  it('trusts magic bytes over the content type and the name', async () => {
    const pdf = await makePdf(['Actually a PDF.']);
    const result = await extractText(file('notes.txt', pdf, 'text/plain'));
    expect(result.format).toBe('pdf');
    expect(result.text).toBe('Actually a PDF.');
  });

  it('takes the content type over the extension, and the extension when the type says nothing', async () => {
    const markdown = new TextEncoder().encode('# Returns\n\nWithin 30 days.\n');
    expect((await extractText(file('returns.txt', markdown, 'text/markdown; charset=utf-8'))).format).toBe('markdown');
    expect((await extractText(file('returns.md', markdown, 'application/octet-stream'))).format).toBe('markdown');
    expect((await extractText(file('returns', markdown))).format).toBe('text');
  });

  it('keeps Markdown indentation and takes its first heading as the title', async () => {
    const markdown =
      '# Returns policy\n\nSteps:\n\n1. Pack it\n    - in the   original box\n\n```\n  code stays indented\n```\n';
    const result = await extractText(file('returns.md', new TextEncoder().encode(markdown)));
    expect(result).toEqual({
      text: '# Returns policy\n\nSteps:\n\n1. Pack it\n    - in the original box\n\n```\n  code stays indented\n```',
      title: 'Returns policy',
      format: 'markdown',
    });
  });

  it('refuses empty and whitespace-only documents with empty_document', async () => {
    await rejection(extractText(file('empty.txt', new Uint8Array(0))), 'empty_document');
    await rejection(extractText(file('empty.pdf', new Uint8Array(0))), 'empty_document');
    const blank = new TextEncoder().encode('  \n\t\r\n \u3000 \u00A0\n\n   ');
    await rejection(extractText(file('blank.txt', blank)), 'empty_document');
    await rejection(extractText(file('blank.docx', makeDocx(['   ', '']))), 'empty_document');
    await rejection(extractText({ kind: 'text', text: ' \n\n \t ' }), 'empty_document');
    await rejection(
      extractText({ kind: 'html', html: '<html><script>var x = 1;</script><p> &nbsp; </p></html>' }),
      'empty_document',
    );
  });

  it('refuses a 60 MB upload with too_large before reading it', async () => {
    // Bytes that would be parsed as a PDF if the size check came second.
    const huge = new Uint8Array(60 * 1024 * 1024);
    huge.set(new TextEncoder().encode('%PDF-1.7\n'));
    const error = await rejection(extractText(file('huge.pdf', huge)), 'too_large');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('50.0 MB');
  });

  it('honours a smaller maxBytes for files, text and HTML alike', async () => {
    const text = 'x'.repeat(2048);
    await rejection(extractText(file('a.txt', new TextEncoder().encode(text)), { maxBytes: 1024 }), 'too_large');
    await rejection(extractText({ kind: 'text', text }, { maxBytes: 1024 }), 'too_large');
    await rejection(extractText({ kind: 'html', html: `<p>${text}</p>` }, { maxBytes: 1024 }), 'too_large');
    expect((await extractText({ kind: 'text', text }, { maxBytes: 4096 })).text).toBe(text);
  });
});

describe('extractText: encodings and normalisation', () => {
  it('decodes UTF-16 LE and BE by their byte order mark', async () => {
    for (const order of ['le', 'be'] as const) {
      const result = await extractText(file(`notes-${order}.txt`, utf16(MULTILINGUAL, order)));
      expect(result).toEqual({ text: MULTILINGUAL, format: 'text' });
    }
  });

  it('strips a UTF-8 byte order mark', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('Hello')]);
    expect((await extractText(file('bom.txt', bytes))).text).toBe('Hello');
  });

  it('keeps English, Spanish, Japanese, Arabic and emoji intact through every path', async () => {
    const bytes = new TextEncoder().encode(MULTILINGUAL);
    expect((await extractText({ kind: 'text', text: MULTILINGUAL })).text).toBe(MULTILINGUAL);
    expect((await extractText(file('notes.txt', bytes))).text).toBe(MULTILINGUAL);
    expect((await extractText(file('notes', bytes))).text).toBe(MULTILINGUAL);
    const html = `<html><body>${MULTILINGUAL.split('\n\n')
      .map((p) => `<p>${p}</p>`)
      .join('\n')}</body></html>`;
    expect((await extractText({ kind: 'html', html })).text).toBe(MULTILINGUAL);
  });

  it('normalises whitespace, control characters and Unicode composition', async () => {
    const messy =
      '  Title  \r\n\r\n\r\n\r\nFirst\t\tparagraph   with  runs\u0000 of\u0007 spaces.   \n' +
      'Same paragraph, next line.\n\n\n\n\fCafe\u0301 — e\u0301lan.\u00AD\n   \n  ';
    const result = await extractText({ kind: 'text', text: messy });
    expect(result.text).toBe(
      'Title\n\nFirst paragraph with runs of spaces.\nSame paragraph, next line.\n\nCafé — élan.',
    );
    expect(result.text.normalize('NFC')).toBe(result.text);
  });

  it('decodes HTML in the charset it declares', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('<html><head><meta charset="windows-1252"><title>Caf'),
      Buffer.from([0xe9]),
      Buffer.from('</title></head><body><p>Espa'),
      Buffer.from([0xf1]),
      Buffer.from('a</p></body></html>'),
    ]);
    expect(await extractText(file('page.html', new Uint8Array(latin1)))).toEqual({
      text: 'España',
      title: 'Café',
      format: 'html',
    });
  });
});

describe('extractText: HTML', () => {
  const page = `<!DOCTYPE html>
<html lang="en"><head>
  <title>Returns &amp; Refunds</title>
  <style>p { color: red } /* <p>not text</p> */</style>
  <script>const secret = "<p>SCRIPT TEXT</p>"; if (a < b) alert(1);</script>
</head><body>
  <nav><ul><li><a href="/">Home</a></li><li>NAV TEXT</li></ul></nav>
  <h1>Returns</h1>
  <p>Return items within <b>30&nbsp;days</b> of delivery&mdash;no questions asked.</p>
  <noscript>NOSCRIPT TEXT</noscript>
  <svg><title>SVG TITLE</title><text>SVG TEXT</text></svg>
  <h2>Refunds</h2>
  <p>Refunds go to the original
     payment method.<br>Allow 5&ndash;7 days.</p>
  <ul><li>Unworn</li><li>Tagged</li></ul>
  <!-- COMMENT TEXT -->
  <p>Prices: 3 &lt; 5 and 5 > 3; caf&eacute; &#x1F600; &#8364;</p>
</body></html>`;

  it('keeps the title, headings and paragraphs and drops scripts, styles, navigation and comments', async () => {
    const result = await extractText({ kind: 'html', html: page, url: 'https://example.com/returns' });
    expect(result.title).toBe('Returns & Refunds');
    expect(result.format).toBe('html');
    expect(result.text).toBe(
      [
        'Returns',
        'Return items within 30\u00A0days of delivery—no questions asked.',
        'Refunds',
        'Refunds go to the original payment method.\nAllow 5–7 days.',
        'Unworn\nTagged',
        'Prices: 3 < 5 and 5 > 3; café 😀 €',
      ].join('\n\n'),
    );
    for (const hidden of ['SCRIPT', 'secret', 'color', 'NAV', 'NOSCRIPT', 'SVG', 'COMMENT', 'Home']) {
      expect(result.text).not.toContain(hidden);
    }
  });

  it('falls back to the first <h1> when there is no <title>, and survives broken markup', async () => {
    const result = await extractText({
      kind: 'html',
      html: '<h1>Shipping <em>guide</em></h1><p>Unclosed <b>bold <div>a < b <script>never closed',
    });
    expect(result.title).toBe('Shipping guide');
    expect(result.text).toBe('Shipping guide\n\nUnclosed bold\n\na < b');
    // A quoted `>` does not end a tag; a tag left open swallows the rest, as in browsers.
    const tricky = await extractText({
      kind: 'html',
      html: '<p title="a > b" data-x=\'<p>\'>Kept</p><p>Also kept<a href="https://example.com/?q=<b>',
    });
    expect(tricky.text).toBe('Kept\n\nAlso kept');
  });
});

describe('URL guard addresses', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.251',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    'fd00::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::10.0.0.1',
    '2002:c0a8:0101::1',
    'not-an-ip',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('fetchSource and extractFromUrl against a local server', () => {
  let server: Server;
  let base: string;
  let pdfBytes: Uint8Array;
  const local = { allowPrivate: true } as const;

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/page.html': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        '<html><head><title>Help Centre</title><script>document.write("SCRIPT TEXT")</script></head>' +
          '<body><h1>Returns</h1><p>Within 30 days.</p><h2>Refunds</h2><p>To the original card.</p></body></html>',
      );
    },
    '/doc.pdf': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end(pdfBytes);
    },
    '/notes.txt': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(MULTILINGUAL);
    },
    '/chain/1': redirect('/chain/2'),
    '/chain/2': redirect('/chain/3', 301),
    '/chain/3': redirect('/page.html#section', 307),
    '/loop/a': redirect('/loop/b'),
    '/loop/b': redirect('/loop/a'),
    '/missing': status(404),
    '/unavailable': status(503),
    '/busy': status(429),
    '/slow': (_req, res) => {
      // Never answers within the test's timeout.
      const late = setTimeout(() => res.writeHead(200).end('late'), 30_000);
      res.on('close', () => clearTimeout(late));
    },
    '/endless-body': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const block = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (!res.destroyed && res.write(block)) {
          // Until the socket's buffer is full; `drain` resumes.
        }
      };
      res.on('drain', pump);
      pump();
    },
    '/declared-huge': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(10 * 1024 * 1024) });
      res.write('only the beginning');
    },
  };

  function redirect(to: string, code = 302) {
    return (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(code, { location: to });
      res.end();
    };
  }

  function status(code: number) {
    return (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(`status ${code}`);
    };
  }

  beforeAll(async () => {
    pdfBytes = await makePdf(['Page one of the manual.', 'Page two of the manual.'], 'Manual');
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const endless = /^\/endless\/(\d+)$/.exec(path);
      if (endless) return redirect(`/endless/${Number(endless[1]) + 1}`)(req, res);
      const route = routes[path];
      if (route) return route(req, res);
      return status(404)(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('extracts an HTML page: title and headings, no script', async () => {
    const result = await extractFromUrl(`${base}/page.html`, local);
    expect(result).toEqual({
      text: 'Returns\n\nWithin 30 days.\n\nRefunds\n\nTo the original card.',
      title: 'Help Centre',
      format: 'html',
      finalUrl: `${base}/page.html`,
    });
  });

  it('extracts a PDF by its content type', async () => {
    const result = await extractFromUrl(`${base}/doc.pdf`, local);
    expect(result.format).toBe('pdf');
    expect(result.pages).toBe(2);
    expect(result.text).toContain('Page one of the manual.');
    expect(result.text).toContain('Page two of the manual.');
  });

  it('extracts plain text intact', async () => {
    expect((await extractFromUrl(`${base}/notes.txt`, local)).text).toBe(MULTILINGUAL);
  });

  it('follows a chain of three redirects', async () => {
    const source = await fetchSource(`${base}/chain/1`, local);
    expect(source.finalUrl).toBe(`${base}/page.html`);
    expect(source.contentType).toBe('text/html; charset=utf-8');
    expect(new TextDecoder().decode(source.bytes)).toContain('<title>Help Centre</title>');
    // The same chain is refused when fewer redirects are allowed.
    await rejection(fetchSource(`${base}/chain/1`, { ...local, maxRedirects: 2 }), 'url_too_many_redirects');
  });

  it('detects a redirect loop', async () => {
    const error = await rejection(fetchSource(`${base}/loop/a`, local), 'url_redirect_loop');
    expect(error.retryable).toBe(false);
  });

  it('stops an endless chain of fresh redirects', async () => {
    const error = await rejection(fetchSource(`${base}/endless/0`, local), 'url_too_many_redirects');
    expect(error.retryable).toBe(false);
  });

  it('reports HTTP errors; only 5xx, 408 and 429 are retryable', async () => {
    const missing = await rejection(fetchSource(`${base}/missing`, local), 'url_http_error');
    expect({ status: missing.status, retryable: missing.retryable }).toEqual({ status: 404, retryable: false });
    const unavailable = await rejection(fetchSource(`${base}/unavailable`, local), 'url_http_error');
    expect({ status: unavailable.status, retryable: unavailable.retryable }).toEqual({ status: 503, retryable: true });
    const busy = await rejection(fetchSource(`${base}/busy`, local), 'url_http_error');
    expect({ status: busy.status, retryable: busy.retryable }).toEqual({ status: 429, retryable: true });
  });

  it('times out a server that does not answer', async () => {
    const error = await rejection(fetchSource(`${base}/slow`, { ...local, timeoutMs: 300 }), 'url_timeout');
    expect(error.retryable).toBe(true);
  });

  it('stops reading a body once it passes maxBytes', async () => {
    const error = await rejection(
      fetchSource(`${base}/endless-body`, { ...local, maxBytes: 1024 * 1024 }),
      'too_large',
    );
    expect(error.retryable).toBe(false);
    await rejection(fetchSource(`${base}/declared-huge`, { ...local, maxBytes: 1024 * 1024 }), 'too_large');
  });

  it('refuses loopback and private hosts unless allowed', async () => {
    await rejection(fetchSource(`${base}/page.html`), 'url_not_allowed');
    await rejection(fetchSource(`${base}/page.html`, { allowPrivate: false }), 'url_not_allowed');
    const port = (server.address() as AddressInfo).port;
    await rejection(fetchSource(`http://localhost:${port}/page.html`), 'url_not_allowed');
    await rejection(fetchSource(`http://[::ffff:127.0.0.1]:${port}/page.html`), 'url_not_allowed');
    await rejection(fetchSource('http://169.254.169.254/latest/meta-data/'), 'url_not_allowed');
  });

  it('checks every hop: a public URL may not redirect into the private network', async () => {
    const requested: string[] = [];
    const fetchImpl: typeof fetch = async (input) => {
      requested.push(String(input));
      return new Response(null, { status: 302, headers: { location: `${base}/page.html` } });
    };
    await rejection(fetchSource('http://93.184.216.34/start', { fetchImpl }), 'url_not_allowed');
    expect(requested).toEqual(['http://93.184.216.34/start']);
  });

  it('fetches only http and https URLs', async () => {
    await rejection(fetchSource('file:///etc/passwd', local), 'url_not_allowed');
    await rejection(fetchSource('ftp://example.com/file.txt', local), 'url_not_allowed');
    await rejection(fetchSource('not a url', local), 'url_invalid');
    const fetchImpl: typeof fetch = async () =>
      new Response(null, { status: 302, headers: { location: 'file:///etc/passwd' } });
    await rejection(fetchSource('http://93.184.216.34/', { fetchImpl }), 'url_not_allowed');
  });

  it('reports a refused connection as retryable url_unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await rejection(fetchSource(`http://127.0.0.1:${port}/`, local), 'url_unreachable');
    expect(error.retryable).toBe(true);
  });
});
