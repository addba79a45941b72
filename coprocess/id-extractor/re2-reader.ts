import { complement, foldAscii, GO_SPACE, POSIX_CLASSES, rangeSource, rangesSource, unicodeClass, type Range } from './re2-classes.js';

/**
 * The lexical half of reading Go's regexp syntax (re2.ts has the structure): escapes as Go's
 * parseEscape reads them, Unicode classes, and bracketed classes as Go's parseClass reads them,
 * each written as JavaScript for a RegExp with flag `u`.
 */

export class Re2Error extends Error {}

export const NOT_RE2 = "RE2 (Go's regexp syntax, which Tyk uses) does not support";
export const ch = (s: string): number => s.charCodeAt(0);
export const BACKSLASH = 0x5c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const CARET = 0x5e;
const HYPHEN = 0x2d;
const COLON = 0x3a;
export const QUESTION = 0x3f;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const PERL_CLASSES = new Set([...'dDsSwW'].map(ch));
export const isDigit = (c: number | undefined): c is number => c !== undefined && c >= 0x30 && c <= 0x39;
const isOctal = (c: number | undefined): c is number => c !== undefined && c >= 0x30 && c <= 0x37;
const isAlnum = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const hexValue = (c: number | undefined): number => (c === undefined ? -1 : /^[0-9a-fA-F]$/.test(String.fromCodePoint(c)) ? parseInt(String.fromCodePoint(c), 16) : -1);
const C_ESCAPES = new Map([...'afnrtv'].map((c, k) => [ch(c), [7, 12, 10, 13, 9, 11][k] as number]));

export class Re2Reader {
  protected readonly cps: number[];
  protected i = 0;
  /** `(?i)` at the start: the RegExp gets flag `i`, and negated classes are folded first. */
  protected foldCase = false;

  constructor(pattern: string) {
    this.cps = Array.from(pattern, (c) => c.codePointAt(0) as number);
  }

  protected fail(message: string): never {
    throw new Re2Error(message);
  }

  protected text(from: number, to = this.i): string {
    return this.cps.slice(from, to).map((c) => String.fromCodePoint(c)).join('');
  }

  protected peek(offset = 0): number | undefined {
    return this.cps[this.i + offset];
  }

  /** Go's parseEscape: the code point an escape stands for. */
  protected escapedChar(): number {
    const from = this.i;
    const c = this.cps[this.i + 1];
    if (c === undefined) this.fail('trailing backslash at end of expression');
    this.i += 2;
    if (c < 0x80 && !isAlnum(c)) return c;
    if (c >= ch('1') && c <= ch('9') && !(c <= ch('7') && isOctal(this.peek()))) {
      this.fail(`${NOT_RE2} backreferences (\`${this.text(from)}\`)`);
    }
    if (isOctal(c)) {
      let value = c - 0x30;
      for (let k = 0; k < 2 && isOctal(this.peek()); k++) value = value * 8 + ((this.cps[this.i++] as number) - 0x30);
      return value;
    }
    if (c === ch('x')) {
      if (this.peek() === LBRACE) {
        let value = 0;
        let digits = 0;
        this.i++;
        while (hexValue(this.peek()) >= 0 && value <= 0x10ffff) {
          value = value * 16 + hexValue(this.cps[this.i++]);
          digits++;
        }
        if (this.peek() === RBRACE && digits > 0 && value <= 0x10ffff) {
          this.i++;
          return value;
        }
      } else {
        const hi = hexValue(this.peek());
        const lo = hexValue(this.peek(1));
        if (hi >= 0 && lo >= 0) {
          this.i += 2;
          return hi * 16 + lo;
        }
      }
    }
    const escaped = C_ESCAPES.get(c);
    if (escaped !== undefined) return escaped;
    if (c === ch('k')) this.fail(`${NOT_RE2} backreferences (\`\\k\`)`);
    return this.fail(`invalid escape sequence: \`${this.text(from, Math.min(this.i, from + 2))}\``);
  }

  /** `\pL`, `\p{Greek}`, `\P{Lu}`, `\p{^Lu}`, as one JavaScript escape. */
  protected unicodeEscape(): string {
    const from = this.i;
    let negated = this.cps[this.i + 1] === ch('P');
    let name: string;
    if (this.peek(2) === LBRACE) {
      let end = this.i + 3;
      while (end < this.cps.length && this.cps[end] !== RBRACE) end++;
      if (end >= this.cps.length) this.fail(`invalid character class range: \`${this.text(from, end)}\``);
      name = this.text(this.i + 3, end);
      this.i = end + 1;
    } else {
      name = this.peek(2) === undefined ? '' : String.fromCodePoint(this.peek(2) as number);
      this.i = Math.min(this.i + 3, this.cps.length);
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (negated && this.foldCase) {
      this.fail(`\`${this.text(from)}\`: a negated Unicode class under (?i) is folded differently by Go and JavaScript`);
    }
    const escape = unicodeClass(name, negated);
    if (escape === undefined) this.fail(`invalid character class range: \`${this.text(from)}\` (unknown Unicode class)`);
    return escape;
  }

  /** Go's parseClass: `]` first is literal, `-` is literal where it cannot make a range. */
  protected charClassSource(): string {
    const from = this.i;
    this.i++;
    let negated = false;
    if (this.peek() === CARET) {
      negated = true;
      this.i++;
    }
    const members: string[] = [];
    for (let first = true; ; first = false) {
      const c = this.peek();
      if (c === undefined) this.fail(`missing closing ]: \`${this.text(from)}\``);
      if (c === RBRACKET && !first) break;
      if (c === LBRACKET && this.peek(1) === COLON) {
        const posix = this.posixClass();
        if (posix !== undefined) {
          members.push(posix);
          continue;
        }
      }
      if (c === BACKSLASH && (this.peek(1) === ch('p') || this.peek(1) === ch('P'))) {
        members.push(this.unicodeEscape());
        continue;
      }
      if (c === BACKSLASH && PERL_CLASSES.has(this.peek(1) ?? -1)) {
        members.push(perlClass(String.fromCodePoint(this.peek(1) as number), true, this.foldCase));
        this.i += 2;
        continue;
      }
      const rangeFrom = this.i;
      const lo = this.classChar();
      let hi = lo;
      if (this.peek() === HYPHEN && this.peek(1) !== undefined && this.peek(1) !== RBRACKET) {
        this.i++;
        hi = this.classChar();
        if (hi < lo) this.fail(`invalid character class range: \`${this.text(rangeFrom)}\``);
      }
      members.push(rangeSource(lo, hi));
    }
    this.i++;
    return `[${negated ? '^' : ''}${members.join('')}]`;
  }

  private classChar(): number {
    if (this.peek() === BACKSLASH) return this.escapedChar();
    return this.cps[this.i++] as number;
  }

  /** `[:alpha:]` or `[:^alpha:]` inside a class; undefined when no `:]` follows (then `[` is literal). */
  private posixClass(): string | undefined {
    let end = this.i + 2;
    while (end + 1 < this.cps.length && !(this.cps[end] === COLON && this.cps[end + 1] === RBRACKET)) end++;
    if (end + 1 >= this.cps.length) return undefined;
    const whole = this.text(this.i, end + 2);
    let name = this.text(this.i + 2, end);
    const negated = name.startsWith('^');
    if (negated) name = name.slice(1);
    const ranges = POSIX_CLASSES.get(name);
    if (ranges === undefined) this.fail(`invalid character class range: \`${whole}\``);
    this.i = end + 2;
    return rangesSource(negated ? complement(this.foldCase ? foldAscii(ranges) : ranges) : ranges);
  }
}

/**
 * `\d`, `\w` and their negations are the same in both languages (ASCII, with the same folding
 * under `i`); `\s` is not, so it is spelled out.
 */
export function perlClass(name: string, inClass: boolean, foldCase: boolean): string {
  if (name !== 's' && name !== 'S') return `\\${name}`;
  const ranges: readonly Range[] = name === 's' ? GO_SPACE : complement(foldCase ? foldAscii(GO_SPACE) : GO_SPACE);
  return inClass ? rangesSource(ranges) : `[${rangesSource(ranges)}]`;
}
