import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compileXPath,
  evaluateFirst,
  MAX_XML_DEPTH,
  MAX_XML_INPUT_BYTES,
  parseXml,
  type XmlChild,
  type XmlDocument,
} from '../../coprocess/id-extractor/index.js';

function parsed(xml: string): { document: XmlDocument; nodeCount: number } {
  const result = parseXml(xml);
  if (!result.ok) assert.fail(`${JSON.stringify(xml)} did not parse: ${result.reason}`);
  return result;
}

function parseError(xml: string): string {
  const result = parseXml(xml);
  if (result.ok) assert.fail(`${JSON.stringify(xml)} parsed`);
  return result.reason;
}

/** What Tyk's XPath extractor takes from `xml`: the string value of the first match. */
function first(expression: string, xml: string): string | undefined {
  const path = compileXPath(expression);
  if (!path.ok) assert.fail(`${expression} was refused: ${path.reason}`);
  const { document, nodeCount } = parsed(xml);
  return evaluateFirst(path.path, document, nodeCount);
}

function refusedPath(expression: string): string {
  const path = compileXPath(expression);
  if (path.ok) assert.fail(`${expression} was accepted`);
  return path.reason;
}

const LIBRARY = `<?xml version="1.0" encoding="UTF-8"?>
<library>
  <!-- Great book. -->
  <book id="b0836217462" available="true">
    <isbn>0836217462</isbn>
    <title lang="en">Being a Dog Is a Full-Time Job</title>
    <author id="CMS"><name>Charles M Schulz</name><born>1922-11-26</born></author>
    <character id="PP"><name>Peppermint Patty</name><born>1966-08-22</born></character>
    <character id="Snoopy"><name>Snoopy</name><born>1950-10-04</born></character>
  </book>
</library>`;

describe('ID extractor XPath: the supported subset on nested documents', () => {
  it('follows absolute, relative and descendant paths (examples from xmlpath)', () => {
    assert.equal(first('/library/book/isbn', LIBRARY), '0836217462');
    assert.equal(first('library/book/isbn', LIBRARY), '0836217462');
    assert.equal(first('library/*/isbn', LIBRARY), '0836217462');
    assert.equal(first('//isbn', LIBRARY), '0836217462');
    assert.equal(first('/library//name', LIBRARY), 'Charles M Schulz');
    assert.equal(first('/library/book/character[2]/name', LIBRARY), 'Snoopy');
    assert.equal(first("//character[@id='PP']/name", LIBRARY), 'Peppermint Patty');
    assert.equal(first('//character[@id="Snoopy"]/born', LIBRARY), '1950-10-04');
    assert.equal(first('//book/@id', LIBRARY), 'b0836217462');
    assert.equal(first('//title/@*', LIBRARY), 'en');
    assert.equal(first('//author', LIBRARY), 'Charles M Schulz1922-11-26');
    assert.equal(first("//character[@id='nobody']/name", LIBRARY), undefined);
    assert.equal(first('/library/book/character[3]', LIBRARY), undefined);
    assert.equal(first('/book', LIBRARY), undefined, 'absolute paths start at the document');
  });

  it("takes an element's text, CDATA included, comments and processing instructions not", () => {
    const xml = '<r><t>a<!-- c -->b<![CDATA[<c>&amp;]]><?p x?><i>d</i></t></r>';
    assert.equal(first('//t', xml), 'ab<c>&amp;d');
    assert.equal(first('//t/text()', xml), 'a');
    assert.equal(first('//t/text()[3]', xml), '<c>&amp;');
    assert.equal(first('//t/text()[4]', xml), undefined);
  });

  it('reaches the first match in the order xmlpath searches, not always document order', () => {
    // Confirmed against gopkg.in/xmlpath.v2: the outer <a> is tried before the inner one.
    assert.equal(first('//a/b', '<a><a><b>1</b></a><b>2</b></a>'), '2');
    assert.equal(first('//b', '<a><a><b>1</b></a><b>2</b></a>'), '2');
    assert.equal(first('//a/b', '<a><c><b>1</b></c><b>2</b></a>'), '2');
    assert.equal(first('//c/b', '<a><c><b>1</b></c><b>2</b></a>'), '1');
  });

  it('counts positions per parent and among the nodes the step selects', () => {
    const xml = '<r><x><k>1</k><j/><k>2</k></x><x><k>3</k></x></r>';
    assert.equal(first('//k[2]', xml), '2');
    assert.equal(first('/r/x[2]/k[1]', xml), '3');
    assert.equal(first('//x[2]/k', xml), '3');
  });

  it('matches names on their local part, as xmlpath ignores namespaces', () => {
    const soap = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:auth xmlns:m="urn:a" m:kind="k">tok</m:auth></s:Body></s:Envelope>';
    assert.equal(first('/Envelope/Body/auth', soap), 'tok');
    assert.equal(first('//auth/@kind', soap), 'k');
    assert.match(refusedPath('/s:Envelope'), /unexpected ":"/);
  });

  it('refuses at load what is outside the subset, saying what the subset is', () => {
    for (const expression of ['', '/', '.', '..', '//a/..', 'child::a', '//node()', '//comment()', 'count(//a)', '//a[b]', "//a[b='x']",
      '//a[contains(@id,"x")]', "//a[@id='x' or @id='y']", '//a | //b', '//a[0]', '//a[1][2]', 'a/', 'a///b', "//a[@id='x]"]) {
      assert.match(refusedPath(expression), /supported subset is \/, \/\/, names, \*, @name, @\*, text\(\), \[n\] and \[@name='value'\]/, expression);
    }
    assert.match(refusedPath('//a[0]'), /positions start at 1/);
    assert.match(refusedPath(`/${'a/'.repeat(64)}a`), /more than 64 steps/);
  });

  it('allows spaces between the parts of a step, as xmlpath does', () => {
    assert.equal(first(" //book [ @id = 'b0836217462' ] / isbn ", LIBRARY), '0836217462');
  });
});

describe('ID extractor XML: a strict, small parser', () => {
  it('resolves the predefined and numeric entities, in text and attributes', () => {
    assert.equal(first('/a', '<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;</a>'), '<>&"\'AB😀');
    assert.equal(first('/a/@v', '<a v="x&amp;y&#10;z"/>'), 'x&y\nz');
    assert.equal(first('/a', '<a>&#xD800;</a>'), '\uFFFD', 'a surrogate becomes U+FFFD, as Go string(rune(n))');
  });

  it('normalises line ends as Go does, except those written as entities', () => {
    assert.equal(first('/a', '<a>1\r\n2\r3&#13;</a>'), '1\n2\n3\r');
    assert.equal(first('/a/@v', "<a v='1\r\n2'/>"), '1\n2');
  });

  it('refuses DOCTYPE, ENTITY and every other declaration outright', () => {
    assert.match(parseError('<!DOCTYPE r [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><r>&lol2;</r>'), /DOCTYPE, ENTITY and other <! declarations are refused/);
    assert.match(parseError('<r><!ENTITY x "y"></r>'), /refused/);
    assert.match(parseError('<r>&xxe;</r>'), /invalid character entity &xxe;/);
  });

  it('rejects what Go rejects', () => {
    const cases: [string, RegExp][] = [
      ['<a>', /<a> is not closed/],
      ['<a></b>', /element <a> closed by <\/b>/],
      ['</a>', /unexpected end element <\/a>/],
      ['<a b=1/>', /unquoted or missing attribute value/],
      ['<a b/>', /attribute name without =/],
      ['<a b="<"/>', /unescaped < inside quoted string/],
      ['<a>&amp</a>', /invalid character entity.*no semicolon/],
      ['<a>&#X41;</a>', /invalid character entity &#X41;/],
      ['<a>&#0;</a>', /illegal character code U\+0000/],
      ['<a>\u0001</a>', /illegal character code U\+0001/],
      ['<a>]]></a>', /unescaped \]\]> not in CDATA section/],
      ['<a><!-- x -- y --></a>', /"--" not allowed in comments/],
      ['<?xml version="1.1"?><a/>', /unsupported version "1.1"/],
      ['<?xml version="1.0" encoding="ISO-8859-1"?><a/>', /encoding "ISO-8859-1" declared/],
      ['<a:b:c/>', /expected element name/],
      ['< a/>', /expected element name/],
      ['<a/ >', /expected attribute name in element <a>/],
      ['<a><![CDATA[x</a>', /EOF in CDATA/],
    ];
    for (const [xml, reason] of cases) assert.match(parseError(xml), reason, xml);
  });

  it('accepts what Go accepts: several roots, text outside them, attributes not space-separated', () => {
    assert.equal(first('/b', '<a>1</a>x<b>2</b>'), '2');
    assert.equal(first('/a/@c', '<a b="1"c="2"/>'), '2');
    assert.equal(first('/a/text()', "<?xml version='1.0' encoding='utf-8'?><a>x</a>"), 'x');
    assert.equal(first('/a', '<a ></a >'), '');
  });

  it(`bounds the input to ${MAX_XML_INPUT_BYTES} bytes and the nesting to ${MAX_XML_DEPTH} elements`, () => {
    assert.match(parseError(`<a>${'x'.repeat(MAX_XML_INPUT_BYTES)}</a>`), /XML is parsed up to 1048576/);
    assert.equal(first('//b', `${'<a>'.repeat(MAX_XML_DEPTH - 1)}<b>deep</b>${'</a>'.repeat(MAX_XML_DEPTH - 1)}`), 'deep');
    assert.match(parseError(`${'<a>'.repeat(MAX_XML_DEPTH + 1)}${'</a>'.repeat(MAX_XML_DEPTH + 1)}`), /nest deeper than 128/);
  });

  it('searches a wide document with nested descendant steps in bounded time', () => {
    const wide = `<r>${'<a><a><b/></a></a>'.repeat(10_000)}</r>`;
    const started = performance.now();
    assert.equal(first('//a//a//a//c', wide), undefined);
    assert.ok(performance.now() - started < 3000);
  });
});

describe('ID extractor XML: properties', () => {
  const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
  const xmlChar = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, ''));

  it('gives back any text it was given, escaped (seeded)', () => {
    fc.assert(
      fc.property(xmlChar, xmlChar, (text, attribute) => {
        const xml = `<r a="${escapeText(attribute).replace(/"/g, '&quot;')}"><t>${escapeText(text)}</t></r>`;
        return first('/r/t', xml) === text && first('/r/@a', xml) === attribute;
      }),
      { seed: 1337, numRuns: 300 },
    );
  });

  interface Tree {
    name: string;
    id: string | undefined;
    children: (Tree | string)[];
  }
  const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
    node: fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      id: fc.option(fc.constantFrom('1', '2', 'x'), { nil: undefined }),
      children: fc.array(fc.oneof({ maxDepth: 4, depthIdentifier: 'tree' }, fc.constantFrom('t', 'u v', '&', '<'), tie('node')), { maxLength: 4 }),
    }),
  })).node;
  const serialise = (t: Tree): string =>
    `<${t.name}${t.id === undefined ? '' : ` id="${t.id}"`}>${t.children.map((c) => (typeof c === 'string' ? escapeText(c) : serialise(c))).join('')}</${t.name}>`;
  const textOf = (t: Tree): string => t.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');

  it('parses any serialised tree back to the same elements and text (seeded)', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const { document } = parsed(serialise(t));
        const same = (node: XmlChild | undefined, expected: Tree): boolean =>
          node?.kind === 'element' &&
          node.name === expected.name &&
          (node.attributes[0]?.value ?? undefined) === expected.id &&
          node.children.filter((c) => c.kind === 'element').every((c, k) => same(c, expected.children.filter((e): e is Tree => typeof e !== 'string')[k] as Tree));
        return same(document.children[0], t) && first(`/${t.name}`, serialise(t)) === textOf(t);
      }),
      { seed: 4711, numRuns: 200 },
    );
  });

  it('never throws on arbitrary input: a document or a reason (seeded)', () => {
    const pieces = ['<', '>', '/', '!', '?', '-', '[', ']', '&', ';', '#', 'x', '=', '"', "'", ' ', 'a', ':', 'CDATA', 'DOCTYPE', '\r', '\u0000', 'é'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        const result = parseXml(parts.join(''));
        return result.ok ? result.nodeCount >= 1 : result.reason.startsWith('XML syntax error at offset');
      }),
      { seed: 99, numRuns: 3000 },
    );
  });
});
