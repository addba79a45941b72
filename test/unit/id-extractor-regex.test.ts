import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findMatch, MAX_REGEX_INPUT_BYTES, REGEX_TIME_BUDGET_MS, translateRe2 } from '../../coprocess/id-extractor/index.js';

function regexp(pattern: string): RegExp {
  const translated = translateRe2(pattern);
  if (!translated.ok) assert.fail(`${JSON.stringify(pattern)} was refused: ${translated.reason}`);
  return translated.regexp;
}

/** Every match, as Go's FindAllString(input, -1) lists them. */
function findAll(pattern: string, input: string): string[] {
  const re = regexp(pattern);
  const out: string[] = [];
  for (let n = 0; ; n++) {
    const found = findMatch(re, input, n);
    if (!found.ok) return out;
    out.push(found.value);
  }
}

function refused(pattern: string): string {
  const translated = translateRe2(pattern);
  if (translated.ok) assert.fail(`${JSON.stringify(pattern)} was accepted as ${translated.regexp.source}`);
  return translated.reason;
}

/** Computed with Go 1.26: regexp.MustCompile(p).FindAllString(s, -1). */
const GO_VECTORS: [string, string, string[]][] = [
  ['prefix-(.*)', 'prefix-testkey123', ['prefix-testkey123']],
  ['\\d*', 'a1b', ['', '1', '']],
  ['a*', 'baaab', ['', 'aaa', '']],
  ['x*', '', ['']],
  ['', 'ab', ['', '', '']],
  ['(?m)^\\w+$', 'foo\nbar baz\nqux', ['foo', 'qux']],
  ['(?m)$', 'a\nb', ['', '']],
  ['.+', 'one\r\ntwo\u2028three', ['one\r', 'two\u2028three']],
  ['(?s).+', 'one\ntwo', ['one\ntwo']],
  ['\\s+', 'a\u00a0b\u000bc d\te', [' ', '\t']],
  ['\\S+', 'a\u00a0b c', ['a\u00a0b', 'c']],
  ['[[:alpha:]]+', 'abc123déf', ['abc', 'd', 'f']],
  ['[^[:alnum:]]+', 'ab--cd!!', ['--', '!!']],
  ['[]a]+', 'x]a]y', [']a]']],
  ['a{,2}', 'aa{,2}', ['a{,2}']],
  ['\\pL+', 'héllo wörld 123', ['héllo', 'wörld']],
  ['\\p{Greek}+', 'abc αβγ', ['αβγ']],
  ['.', 'a😀b', ['a', '😀', 'b']],
  ['😀*', 'x😀😀y', ['', '😀😀', '']],
  ['(?i)token=\\w+', 'TOKEN=abc token=DEF', ['TOKEN=abc', 'token=DEF']],
  ['(?U)a+', 'aaa', ['a', 'a', 'a']],
  ['(?U)a+?', 'aaa', ['aaa']],
  ['\\x41\\101\\x{42}', 'AAB', ['AAB']],
  ['\\Qa.b\\E+', 'a.bbb a.b axb', ['a.bbb', 'a.b']],
  ['(?P<key>[a-f0-9]{8})', 'id=deadbeef cafebabe', ['deadbeef', 'cafebabe']],
  ['\\bkey\\b', 'key keys key', ['key', 'key']],
  ['^*a', 'aa', ['a', 'a']],
  ['[a-c-e]+', 'a-e-b', ['a-e-b']],
  ['Bearer\\s+\\S+', 'Bearer abc.def', ['Bearer abc.def']],
];

describe('ID extractor regex: Go FindAllString semantics', () => {
  it('gives the matches Go gives', () => {
    for (const [pattern, input, expected] of GO_VECTORS) {
      assert.deepEqual(findAll(pattern, input), expected, `${pattern} on ${JSON.stringify(input)}`);
    }
  });

  it('takes whole matches by index, not capture groups', () => {
    const re = regexp('key-(\\w+)');
    assert.deepEqual(findMatch(re, 'key-a key-b key-c', 0), { ok: true, value: 'key-a' });
    assert.deepEqual(findMatch(re, 'key-a key-b key-c', 2), { ok: true, value: 'key-c' });
  });

  it('counts empty matches as Go does, dropping one right after a match', () => {
    // Go: "", "1", "" (the empty match at 2 abuts the "1" and is dropped), then "" at the end.
    assert.deepEqual(findMatch(regexp('\\d*'), 'a1b', 1), { ok: true, value: '1' });
    assert.deepEqual(findMatch(regexp('\\d*'), 'a1b', 2), { ok: true, value: '' });
    assert.deepEqual(findAll('\\d*', '12'), ['12']);
    assert.deepEqual(findAll('a|', 'xa'), ['', 'a']);
  });

  it('steps over a whole code point after an empty match', () => {
    assert.deepEqual(findAll('x*', '😀'), ['', '']);
  });

  it('fails past the last match, with the index in the reason', () => {
    const result = findMatch(regexp('k\\d'), 'k1 k2', 2);
    assert.deepEqual(result, { ok: false, reason: 'the regex has no match number 2 (counting from 0) in the input' });
    assert.equal(findMatch(regexp('z'), 'abc', 0).ok, false);
  });

  it(`refuses inputs over ${MAX_REGEX_INPUT_BYTES} bytes rather than cutting them`, () => {
    const re = regexp('a');
    assert.equal(findMatch(re, 'a'.repeat(MAX_REGEX_INPUT_BYTES), 0).ok, true);
    const result = findMatch(re, `${'é'.repeat(MAX_REGEX_INPUT_BYTES / 2)}a`, 0);
    assert.deepEqual(result, { ok: false, reason: `the input is ${MAX_REGEX_INPUT_BYTES + 1} bytes; regex extraction runs on at most ${MAX_REGEX_INPUT_BYTES}` });
  });

  it(`stops a pathological search at its ${REGEX_TIME_BUDGET_MS} ms budget`, () => {
    const started = performance.now();
    const catastrophic = findMatch(regexp('(a+)+$'), `${'a'.repeat(40)}b`, 0);
    const quadratic = findMatch(regexp('[a-z]+@'), 'a'.repeat(60_000), 0);
    assert.ok(performance.now() - started < 2000);
    // On a host too busy to give this process half the budget in CPU, the run looks like a stall
    // and is retried (twice at most) before it fails; either way it fails within bounded time.
    assert.match(catastrophic.ok ? '' : catastrophic.reason, /ran past its 25 ms budget on a 41-byte input|stalled through 3 attempts/);
    assert.match(quadratic.ok ? '' : quadratic.reason, /ran past its 25 ms budget|stalled through 3 attempts/);
    assert.deepEqual(findMatch(regexp('b'), 'ab', 0), { ok: true, value: 'b' }, 'the context is usable after a timeout');
  });

  it('runs the search again when the budget ran out while the process was not using the CPU', () => {
    /** Blocks without using the CPU, as a descheduled process would, on its first `sleeps` calls. */
    class Stalling extends RegExp {
      constructor(source: string, private sleeps: number) {
        super(source, 'gu');
      }
      override exec(text: string): RegExpExecArray | null {
        if (this.sleeps-- > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3 * REGEX_TIME_BUDGET_MS);
        return super.exec(text);
      }
    }
    assert.deepEqual(findMatch(new Stalling('b', 1), 'ab', 0), { ok: true, value: 'b' });
    assert.deepEqual(findMatch(new Stalling('b', 9), 'ab', 0), { ok: false, reason: 'the process stalled through 3 attempts of 25 ms (a loaded host?)' });
  });
});

describe('ID extractor regex: RE2 syntax', () => {
  it('refuses what RE2 rejects and JavaScript accepts, saying so', () => {
    assert.match(refused('(a)\\1'), /does not support backreferences \(`\\1`\)/);
    assert.match(refused('\\k<a>'), /backreferences/);
    assert.match(refused('(?P=a)'), /backreferences/);
    assert.match(refused('a(?=b)'), /does not support lookahead \(`\(\?=`\)/);
    assert.match(refused('a(?!b)'), /lookahead/);
    assert.match(refused('(?<=a)b'), /lookbehind \(`\(\?<=`\)/);
    assert.match(refused('(?<!a)b'), /lookbehind/);
    for (const pattern of ['\\Z', '\\C', '\\e', '\\q', '\\8', '[\\b]']) assert.match(refused(pattern), /invalid escape sequence|backreferences/, pattern);
  });

  it("refuses what Go's parser refuses", () => {
    assert.match(refused('a**'), /invalid nested repetition operator: `\*\*`/);
    assert.match(refused('*a'), /missing argument to repetition operator: `\*`/);
    assert.match(refused('a|+'), /missing argument/);
    assert.match(refused('a{1001}'), /invalid repeat count: `\{1001\}`/);
    assert.match(refused('a{2,1}'), /invalid repeat count/);
    assert.match(refused('(a'), /missing closing \)/);
    assert.match(refused('a)'), /unexpected \)/);
    assert.match(refused('[a'), /missing closing \]/);
    assert.match(refused('[z-a]'), /invalid character class range: `z-a`/);
    assert.match(refused('[[:foo:]]'), /invalid character class range: `\[:foo:\]`/);
    assert.match(refused('\\p{Klingon}'), /unknown Unicode class/);
    assert.match(refused('\\p{Grek}'), /unknown Unicode class/);
    assert.match(refused('(?P<a>x)(?P<a>y)'), /duplicate capture group name/);
    assert.match(refused('(?P<a-b>x)'), /invalid named capture/);
    assert.match(refused('(?x)a'), /invalid or unsupported Perl syntax/);
    assert.match(refused('(?i-)a'), /invalid or unsupported Perl syntax/);
    assert.match(refused('a\\'), /trailing backslash/);
  });

  it('refuses what Node 20 cannot express, with the way out', () => {
    assert.match(refused('a(?i)b'), /only at the very start.*write \(\?i\) first/);
    assert.match(refused('(?i:a)b'), /only around the whole expression/);
    assert.match(refused('(?i)a(?-i)b'), /only at the very start/);
    assert.match(refused('(?i)\\P{Lu}'), /negated Unicode class under \(\?i\)/);
  });

  it('refuses repeats that Go and JavaScript run differently (found by differential testing)', () => {
    for (const pattern of ['(|a)+', '(?:a??)+', '(?:^|a)*', '(?:a*|b)+', '(?:(?:a)*?)*', '(?:ab|\\s??)?']) {
      assert.match(refused(pattern), /may match the empty string before it matches text/, pattern);
    }
    for (const pattern of ['(a|)+', '(a*)*', '(?:a?b?)*', '(?:a??){2}', 'a*?', '(?:\\w+\\.)*com']) assert.ok(translateRe2(pattern).ok, pattern);
  });

  it('accepts the global flags and Go-only spellings', () => {
    assert.ok(regexp('(?i)abc').flags.includes('i'));
    assert.ok(regexp('(?i:abc)').flags.includes('i'));
    assert.equal(regexp('(?s)a.b').flags.includes('s'), false, '(?s) is written into the pattern');
    assert.deepEqual(findAll('(?s:.)', '\n'), ['\n']);
    assert.deepEqual(findAll('a(?m:$)', 'a\na'), ['a', 'a']);
    assert.deepEqual(findAll('a$', 'a\na'), ['a']);
    assert.deepEqual(findAll('\\Aa|a\\z', 'aba'), ['a', 'a']);
    assert.deepEqual(findAll('\\012', 'a\nb'), ['\n']);
    assert.deepEqual(findAll('\\0', 'a\u0000'), ['\u0000']);
    assert.deepEqual(findAll('\\a\\f\\v', '\u0007\f\v'), ['\u0007\f\v']);
    assert.deepEqual(findAll('\\x{1F600}', '😀'), ['😀']);
    assert.deepEqual(findAll('\\:\\-\\_\\"\\ ', ':-_" '), [':-_" ']);
    assert.deepEqual(findAll('\\p{^L}+', 'ab12cd'), ['12']);
    assert.deepEqual(findAll('\\PN+', 'ab12cd'), ['ab', 'cd']);
    assert.deepEqual(findAll('\\p{C}', 'a\u0001\u{e0000}'), ['\u0001', '\u{e0000}'], "Go 1.26's C holds the unassigned code points");
    assert.deepEqual(findAll('\\p{greek}+|\\p{Uppercase_Letter}', 'aΩβB'), ['Ωβ', 'B'], 'names are canonicalised as Go 1.26 does');
    assert.deepEqual(findAll('[\\P{Assigned}]', 'a\u0378'), ['\u0378']);
    assert.deepEqual(findAll('[\\d-z]+', '1-z'), ['1-z']);
    assert.deepEqual(findAll('[^\\S]+', 'a \u00a0b'), [' ']);
    assert.deepEqual(findAll('(?i)[[:^lower:]]+', 'aB1ſK'), ['1']);
    assert.deepEqual(findAll('(?i)\\W', 'sſkK!'), ['!']);
    assert.deepEqual(findAll('x{', 'x{'), ['x{']);
    assert.deepEqual(findAll('}]', '}]'), ['}]']);
  });

  it('matches any string written with Go\'s QuoteMeta literally (property)', () => {
    const quoteMeta = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.string({ maxLength: 10 }), (literal, noise) => {
        const found = findMatch(regexp(quoteMeta(literal)), `${noise.replaceAll(literal, '')}${literal}`, 0);
        return found.ok && found.value === literal;
      }),
      { seed: 20260901, numRuns: 300 },
    );
  });

  it('never throws: any pattern is translated or refused, any input gives a match or a reason (property)', () => {
    const pieces = ['a', 'b', '.', '\\', '(', ')', '[', ']', '{', '}', '*', '+', '?', '|', '^', '$', '-', ':', 'P', '<', '>', '=', '!', 'i', '1', ',', 'x', 'p', 'é'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), fc.string({ maxLength: 40 }), (parts, input) => {
        const translated = translateRe2(parts.join(''));
        if (!translated.ok) return translated.reason.length > 0;
        const found = findMatch(translated.regexp, input, 0);
        return found.ok ? input.includes(found.value) : found.reason.length > 0;
      }),
      { seed: 424242, numRuns: 2000 },
    );
  });
});
