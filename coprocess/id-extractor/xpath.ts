import type { XmlDocument, XmlNode } from './xml.js';

/**
 * The XPath subset the extractor accepts, evaluated as Tyk's library (gopkg.in/xmlpath.v2)
 * evaluates it. No XPath library is installed, so this is deliberately small:
 *
 *   /a/b   a/b   //b   a//b   *   @id   @*   text()   [2]   [@type='x']   [@type="x"]
 *
 * that is absolute and relative location paths (both start at the document, as Tyk passes the
 * document as the context), child `/` and descendant `//` steps, element names (matched on the
 * local name; xmlpath has no namespaces), `*`, attributes, `text()`, and one predicate per step:
 * a position from 1, or an attribute equal to a literal. Everything else (`.`, `..`, axes like
 * `child::`, `node()`, `contains()`, `and`/`or`, paths or comparisons other than `@name='v'` in
 * predicates, unions) is refused when the API is loaded.
 *
 * Like xmlpath, the result is the string value of the FIRST node the nested-loop search reaches:
 * steps are tried depth first, each axis in document order. That is not always the first node in
 * document order: `//b` on `<a><a><b>1</b></a><b>2</b></a>` gives "2" (the outer `a`'s child is
 * reached before the inner `a` is entered), as in Tyk. A name step
 * also matches a processing instruction with that target, as in xmlpath. Branches already known to
 * give nothing are not searched again, so a search is at most steps x nodes visits.
 */

export type XPathTest =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'element' }
  | { readonly kind: 'text' }
  | { readonly kind: 'node' };

export type XPathPredicate =
  | { readonly kind: 'position'; readonly position: number }
  | { readonly kind: 'attribute-equals'; readonly name: string; readonly value: string };

export interface XPathStep {
  readonly axis: 'child' | 'attribute' | 'descendant-or-self';
  readonly test: XPathTest;
  readonly predicate: XPathPredicate | undefined;
}

export interface XPath {
  readonly expression: string;
  readonly steps: readonly XPathStep[];
}

export type XPathCompilation = { readonly ok: true; readonly path: XPath } | { readonly ok: false; readonly reason: string };

export const MAX_XPATH_STEPS = 64;

const SUBSET = "the supported subset is /, //, names, *, @name, @*, text(), [n] and [@name='value']";
const NAME_BYTE = /[A-Za-z0-9_.\-\u0080-\uFFFF]/;
const DESCENDANT_OR_SELF: XPathStep = { axis: 'descendant-or-self', test: { kind: 'node' }, predicate: undefined };

class XPathError extends Error {}

export function compileXPath(expression: string): XPathCompilation {
  try {
    return { ok: true, path: Object.freeze({ expression, steps: Object.freeze(new Compiler(expression).run()) }) };
  } catch (err) {
    if (err instanceof XPathError) return { ok: false, reason: err.message };
    throw err;
  }
}

class Compiler {
  private i = 0;
  constructor(private readonly src: string) {}

  run(): XPathStep[] {
    const steps: XPathStep[] = [];
    this.skipSpaces();
    if (this.i >= this.src.length) this.fail('the expression is empty');
    if (this.skip('//')) steps.push(DESCENDANT_OR_SELF);
    else if (this.skip('/') && this.atEnd()) this.fail('`/` alone selects the document itself, not a node; name an element');
    for (;;) {
      steps.push(this.step());
      this.skipSpaces();
      if (this.atEnd()) break;
      if (this.skip('//')) steps.push(DESCENDANT_OR_SELF);
      else if (!this.skip('/')) this.fail(`unexpected ${JSON.stringify(this.src[this.i])}`);
    }
    if (steps.length > MAX_XPATH_STEPS) this.fail(`more than ${MAX_XPATH_STEPS} steps`);
    return steps;
  }

  private fail(message: string): never {
    throw new XPathError(`${message} (at offset ${this.i}); ${SUBSET}`);
  }

  private atEnd(): boolean {
    return this.i >= this.src.length;
  }

  private skip(text: string): boolean {
    if (!this.src.startsWith(text, this.i)) return false;
    this.i += text.length;
    return true;
  }

  private skipSpaces(): void {
    while (this.src[this.i] === ' ') this.i++;
  }

  /** xmlpath's names: `*`, or ASCII letters, digits, `_ . -` and anything non-ASCII. */
  private name(): string {
    if (this.skip('*')) return '*';
    const start = this.i;
    while (this.i < this.src.length && NAME_BYTE.test(this.src[this.i] as string)) this.i++;
    return this.src.slice(start, this.i);
  }

  private step(): XPathStep {
    this.skipSpaces();
    let axis: XPathStep['axis'] = 'child';
    let test: XPathTest;
    if (this.skip('@')) {
      const name = this.name();
      if (name === '') this.fail('missing name after @');
      axis = 'attribute';
      test = name === '*' ? { kind: 'node' } : { kind: 'name', name };
    } else {
      const name = this.name();
      if (name === '') this.fail(this.atEnd() ? 'missing a step at the end' : `unexpected ${JSON.stringify(this.src[this.i])}`);
      if (/^\.+$/.test(name)) this.fail(`\`${name}\` (self and parent steps) is outside the subset`);
      this.skipSpaces();
      if (this.src.startsWith('::', this.i)) this.fail(`axes (\`${name}::\`) are outside the subset`);
      if (this.skip('(')) {
        this.skipSpaces();
        if (name !== 'text' || !this.skip(')')) this.fail(`\`${name}(\` is outside the subset`);
        test = { kind: 'text' };
      } else test = name === '*' ? { kind: 'element' } : { kind: 'name', name };
    }
    this.skipSpaces();
    const predicate = this.skip('[') ? this.predicate() : undefined;
    this.skipSpaces();
    if (this.src[this.i] === '[') this.fail('one predicate per step');
    return { axis, test, predicate };
  }

  private predicate(): XPathPredicate {
    this.skipSpaces();
    let predicate: XPathPredicate;
    const digits = /^[0-9]+/.exec(this.src.slice(this.i, this.i + 12));
    if (digits !== null) {
      this.i += digits[0].length;
      const position = Number(digits[0]);
      if (position === 0 || !Number.isSafeInteger(position)) this.fail('positions start at 1');
      predicate = { kind: 'position', position };
    } else if (this.skip('@')) {
      const name = this.name();
      if (name === '' || name === '*') this.fail('an attribute predicate needs a name: [@name=\'value\']');
      this.skipSpaces();
      if (!this.skip('=')) this.fail('predicates other than [n] and [@name=\'value\'] are outside the subset');
      this.skipSpaces();
      const quote = this.src[this.i];
      if (quote !== '"' && quote !== "'") this.fail('expected a quoted literal after =');
      const end = this.src.indexOf(quote, this.i + 1);
      if (end === -1) this.fail(`missing ${quote}`);
      predicate = { kind: 'attribute-equals', name, value: this.src.slice(this.i + 1, end) };
      this.i = end + 1;
    } else {
      this.fail('predicates other than [n] and [@name=\'value\'] are outside the subset');
    }
    this.skipSpaces();
    if (!this.skip(']')) this.fail('expected ]');
    return predicate;
  }
}

/** The string value of the first node `path` reaches in `document`; undefined when none. */
export function evaluateFirst(path: XPath, document: XmlDocument, nodeCount: number): string | undefined {
  const exhausted = new Set<number>();
  const search = (k: number, node: XmlNode): XmlNode | undefined => {
    const step = path.steps[k];
    if (step === undefined) return node;
    const key = k * nodeCount + node.id;
    if (exhausted.has(key)) return undefined;
    for (const candidate of candidates(step, node)) {
      const found = search(k + 1, candidate);
      if (found !== undefined) return found;
    }
    exhausted.add(key);
    return undefined;
  };
  const found = search(0, document);
  return found === undefined ? undefined : stringValue(found);
}

function* candidates(step: XPathStep, node: XmlNode): Generator<XmlNode> {
  let position = 0;
  for (const candidate of axis(step.axis, node)) {
    if (!passes(step.test, candidate)) continue;
    position++;
    const p = step.predicate;
    if (p === undefined) yield candidate;
    else if (p.kind === 'position' ? position === p.position : candidate.kind === 'element' && candidate.attributes.some((a) => a.name === p.name && a.value === p.value)) {
      yield candidate;
    }
  }
}

function* axis(kind: XPathStep['axis'], node: XmlNode): Generator<XmlNode> {
  if (kind === 'attribute') {
    if (node.kind === 'element') yield* node.attributes;
  } else if (kind === 'child') {
    if (node.kind === 'element' || node.kind === 'document') yield* node.children;
  } else {
    // descendant-or-self, in document order, without recursion.
    const stack: XmlNode[] = [node];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      yield next;
      if (next.kind === 'element' || next.kind === 'document') {
        for (let c = next.children.length - 1; c >= 0; c--) stack.push(next.children[c] as XmlNode);
      }
    }
  }
}

function passes(test: XPathTest, node: XmlNode): boolean {
  switch (test.kind) {
    case 'node':
      return true;
    case 'element':
      return node.kind === 'element';
    case 'text':
      return node.kind === 'text';
    case 'name':
      return (node.kind === 'element' || node.kind === 'pi' || node.kind === 'attribute') && node.name === test.name;
  }
}

/** xmlpath's Node.String: an element's is all the text inside it (CDATA included, comments not). */
function stringValue(node: XmlNode): string {
  switch (node.kind) {
    case 'attribute':
      return node.value;
    case 'text':
    case 'comment':
    case 'pi':
      return node.text;
    default: {
      let out = '';
      const stack: XmlNode[] = [node];
      for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
        if (next.kind === 'text') out += next.text;
        else if (next.kind === 'element' || next.kind === 'document') {
          for (let c = next.children.length - 1; c >= 0; c--) stack.push(next.children[c] as XmlNode);
        }
      }
      return out;
    }
  }
}
