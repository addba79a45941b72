/**
 * A small XML parser for the XPath extractor, strict where Go's encoding/xml decoder (which Tyk's
 * xmlpath uses) is strict, and safe on hostile input:
 *
 * - elements, attributes (quoted values), text, CDATA, comments, processing instructions;
 * - entities: `&lt; &gt; &amp; &quot; &apos;`, `&#NN;` and `&#xHH;`; any other is an error (Go:
 *   "invalid character entity");
 * - DOCTYPE, ENTITY and every other `<!` declaration are refused outright, so there is no entity
 *   expansion of any kind (Go would skip a DOCTYPE; refusing it costs nothing real here);
 * - as in Go: `\r\n` and `\r` become `\n`; characters outside XML's Char range are errors, and
 *   so is `]]>` in text; an `<?xml?>` declaration must say version 1.0 and encoding UTF-8 if it
 *   says either; `--` cannot appear in a comment; several top-level elements and text outside
 *   them are accepted; element and attribute names are matched by their local part (after a
 *   `prefix:`);
 * - bounded: at most MAX_XML_INPUT_BYTES of input and MAX_XML_DEPTH nested elements, parsed
 *   without recursion, in time linear in the input.
 *
 * Nodes carry pre-order ids (attributes right after their element) for the XPath evaluator.
 */

export const MAX_XML_INPUT_BYTES = 1024 * 1024;
export const MAX_XML_DEPTH = 128;

export interface XmlAttribute {
  readonly kind: 'attribute';
  readonly id: number;
  readonly name: string;
  readonly value: string;
}

export interface XmlElement {
  readonly kind: 'element';
  readonly id: number;
  /** The local name. */
  readonly name: string;
  readonly attributes: XmlAttribute[];
  readonly children: XmlChild[];
}

export interface XmlLeaf {
  readonly kind: 'text' | 'comment' | 'pi';
  readonly id: number;
  /** A processing instruction's target; "" for text and comments. */
  readonly name: string;
  readonly text: string;
}

export interface XmlDocument {
  readonly kind: 'document';
  readonly id: 0;
  readonly name: '';
  readonly children: XmlChild[];
}

export type XmlChild = XmlElement | XmlLeaf;
export type XmlNode = XmlDocument | XmlChild | XmlAttribute;

export type XmlParseResult =
  | { readonly ok: true; readonly document: XmlDocument; readonly nodeCount: number }
  | { readonly ok: false; readonly reason: string };

export function parseXml(text: string): XmlParseResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_XML_INPUT_BYTES) return { ok: false, reason: `the input is ${bytes} bytes; XML is parsed up to ${MAX_XML_INPUT_BYTES}` };
  try {
    const parser = new Parser(text);
    return { ok: true, document: parser.parse(), nodeCount: parser.nextId };
  } catch (err) {
    if (err instanceof XmlError) return { ok: false, reason: err.message };
    throw err;
  }
}

class XmlError extends Error {}

const ENTITIES = new Map([['lt', '<'], ['gt', '>'], ['amp', '&'], ['apos', "'"], ['quot', '"']]);
/** Go reads a name as these ASCII bytes and anything non-ASCII, then checks it (NAME). */
const NAME_CHAR = /[A-Za-z0-9_:.\-]|[^\x00-\x7F]/uy;
const NAME = /^[\p{L}_:][\p{L}\p{N}\p{M}_:.\-\u00B7]*$/u;
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const SPACE = new Set([' ', '\t', '\r', '\n']);

class Parser {
  private pos = 0;
  nextId = 1;
  private readonly document: XmlDocument = { kind: 'document', id: 0, name: '', children: [] };
  private readonly open: { element: XmlElement; qname: string }[] = [];

  constructor(private readonly src: string) {}

  parse(): XmlDocument {
    const { src } = this;
    while (this.pos < src.length) {
      const lt = src.indexOf('<', this.pos);
      if (lt !== this.pos) {
        const end = lt === -1 ? src.length : lt;
        this.leaf('text', '', this.decode(src.slice(this.pos, end), 'text'));
        this.pos = end;
      } else if (src.startsWith('</', lt)) this.endTag();
      else if (src.startsWith('<?', lt)) this.processingInstruction();
      else if (src.startsWith('<!--', lt)) this.comment();
      else if (src.startsWith('<![CDATA[', lt)) this.cdata();
      else if (src.startsWith('<!', lt)) this.fail('DOCTYPE, ENTITY and other <! declarations are refused (no entity expansion)');
      else this.startTag();
    }
    const last = this.open[this.open.length - 1];
    if (last !== undefined) this.fail(`unexpected EOF: <${last.qname}> is not closed`);
    return this.document;
  }

  private fail(message: string): never {
    throw new XmlError(`XML syntax error at offset ${this.pos}: ${message}`);
  }

  private get parent(): XmlDocument | XmlElement {
    return this.open[this.open.length - 1]?.element ?? this.document;
  }

  private leaf(kind: XmlLeaf['kind'], name: string, text: string): void {
    this.parent.children.push({ kind, id: this.nextId++, name, text });
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && SPACE.has(this.src[this.pos] as string)) this.pos++;
  }

  private name(what: string): string {
    const start = this.pos;
    NAME_CHAR.lastIndex = this.pos;
    while (this.pos < this.src.length && NAME_CHAR.test(this.src)) {
      this.pos = NAME_CHAR.lastIndex;
      NAME_CHAR.lastIndex = this.pos;
    }
    const name = this.src.slice(start, this.pos);
    if (!NAME.test(name) || name.split(':').length > 2) this.fail(`expected ${what}`);
    return name;
  }

  private expect(text: string, what: string): void {
    if (!this.src.startsWith(text, this.pos)) this.fail(this.pos >= this.src.length ? `unexpected EOF (${what})` : what);
    this.pos += text.length;
  }

  private startTag(): void {
    this.pos++;
    const qname = this.name('element name after <');
    const element: XmlElement = { kind: 'element', id: this.nextId++, name: localName(qname), attributes: [], children: [] };
    for (;;) {
      this.skipSpace();
      if (this.src.startsWith('/>', this.pos)) {
        this.pos += 2;
        this.parent.children.push(element);
        return;
      }
      if (this.src.startsWith('>', this.pos)) {
        this.pos++;
        if (this.open.length >= MAX_XML_DEPTH) this.fail(`elements nest deeper than ${MAX_XML_DEPTH}`);
        this.parent.children.push(element);
        this.open.push({ element, qname });
        return;
      }
      if (this.pos >= this.src.length) this.fail(`unexpected EOF in <${qname}>`);
      const attribute = this.name(`attribute name in element <${qname}>`);
      this.skipSpace();
      this.expect('=', `attribute name without = in element <${qname}>`);
      this.skipSpace();
      const quote = this.src[this.pos];
      if (quote !== '"' && quote !== "'") this.fail(`unquoted or missing attribute value in element <${qname}>`);
      const close = this.src.indexOf(quote, this.pos + 1);
      if (close === -1) this.fail(`unexpected EOF in an attribute value of <${qname}>`);
      const raw = this.src.slice(this.pos + 1, close);
      if (raw.includes('<')) this.fail(`unescaped < inside quoted string in <${qname}>`);
      element.attributes.push({ kind: 'attribute', id: this.nextId++, name: localName(attribute), value: this.decode(raw, 'attribute') });
      this.pos = close + 1;
    }
  }

  private endTag(): void {
    this.pos += 2;
    const qname = this.name('element name after </');
    this.skipSpace();
    this.expect('>', `invalid characters between </${qname} and >`);
    const top = this.open.pop();
    if (top === undefined) this.fail(`unexpected end element </${qname}>`);
    if (top.qname !== qname) this.fail(`element <${top.qname}> closed by </${qname}>`);
  }

  private comment(): void {
    const dashes = this.src.indexOf('--', this.pos + 4);
    if (dashes === -1) this.fail('unexpected EOF in a comment');
    if (this.src[dashes + 2] !== '>') {
      this.pos = dashes;
      this.fail('invalid sequence "--" not allowed in comments');
    }
    this.leaf('comment', '', this.src.slice(this.pos + 4, dashes));
    this.pos = dashes + 3;
  }

  private cdata(): void {
    const end = this.src.indexOf(']]>', this.pos + 9);
    if (end === -1) this.fail('unexpected EOF in CDATA section');
    this.leaf('text', '', this.decode(this.src.slice(this.pos + 9, end), 'cdata'));
    this.pos = end + 3;
  }

  private processingInstruction(): void {
    this.pos += 2;
    const target = this.name('target name after <?');
    this.skipSpace();
    const end = this.src.indexOf('?>', this.pos);
    if (end === -1) this.fail('unexpected EOF in a processing instruction');
    const content = this.src.slice(this.pos, end);
    if (target === 'xml') {
      const version = declared('version', content);
      if (version !== undefined && version !== '' && version !== '1.0') this.fail(`unsupported version "${version}"; only version 1.0 is supported`);
      const encoding = declared('encoding', content);
      if (encoding !== undefined && encoding !== '' && encoding.toLowerCase() !== 'utf-8') this.fail(`encoding "${encoding}" declared; only UTF-8 is accepted`);
    }
    this.leaf('pi', localName(target), content);
    this.pos = end + 2;
  }

  /** Text or an attribute value: entities resolved (not in CDATA), line ends normalised, checked. */
  private decode(raw: string, kind: 'text' | 'attribute' | 'cdata'): string {
    if (kind === 'text' && raw.includes(']]>')) this.fail('unescaped ]]> not in CDATA section');
    const cdata = kind === 'cdata';
    let out = raw;
    if ((!cdata && raw.includes('&')) || raw.includes('\r')) {
      out = '';
      for (let k = 0; k < raw.length; k++) {
        const c = raw[k] as string;
        if (c === '&' && !cdata) {
          const semi = raw.indexOf(';', k);
          const entity = semi === -1 ? undefined : resolveEntity(raw.slice(k + 1, semi));
          // The entity is named only when it looks like one: the text around it may be a credential.
          const shown = semi !== -1 && semi - k <= 12 ? ` ${raw.slice(k, semi + 1)}` : semi === -1 ? ' (no semicolon)' : '';
          if (entity === undefined) this.fail(`invalid character entity${shown}`);
          out += entity;
          k = semi;
        } else if (c === '\r') {
          out += '\n';
          if (raw[k + 1] === '\n') k++;
        } else out += c;
      }
    }
    const bad = NOT_XML_CHAR.exec(out);
    if (bad !== null) this.fail(`illegal character code U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
    return out;
  }
}

function resolveEntity(body: string): string | undefined {
  const named = ENTITIES.get(body);
  if (named !== undefined) return named;
  const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
  if (numeric === null) return undefined;
  const value = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2] as string, 10);
  if (!(value <= 0x10ffff)) return undefined;
  // Go: string(rune(n)), which turns a surrogate into U+FFFD.
  return value >= 0xd800 && value <= 0xdfff ? '\uFFFD' : String.fromCodePoint(value);
}

/** What `name="value"` in an `<?xml ...?>` declaration says; linear, like Go's procInst. */
function declared(name: string, content: string): string | undefined {
  const key = `${name}=`;
  for (let from = 0; ; ) {
    const at = content.indexOf(key, from);
    if (at < 0 || at + key.length >= content.length) return undefined;
    const quote = content[at + key.length];
    from = at + key.length + 1;
    if (quote === '"' || quote === "'") {
      const end = content.indexOf(quote, from);
      return end < 0 ? undefined : content.slice(from, end);
    }
  }
}

/** Go's encoding/xml keeps the part after `prefix:` as the local name (one colon at most). */
function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon > 0 && colon < qname.length - 1 ? qname.slice(colon + 1) : qname;
}
