import { literalSource } from './re2-classes.js';
import { BACKSLASH, ch, isDigit, LBRACE, NOT_RE2, PERL_CLASSES, perlClass, QUESTION, RBRACE, Re2Error, Re2Reader } from './re2-reader.js';

/**
 * Tyk compiles `regex_expression` with Go's regexp package: RE2 syntax with Go's Perl extensions.
 * This parses that syntax the way Go's regexp/syntax does and writes a JavaScript RegExp (flags
 * `gu`) that matches the same strings, or refuses the expression with the reason:
 *
 * - what Go rejects is refused, including what JavaScript would accept: backreferences (`\1`,
 *   `\k<n>`), lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`), `\Z`, `\C`, repeat counts over 1000,
 *   nested repetition (`a**`), escapes of letters Go does not know;
 * - what both accept with different meanings is rewritten: `.` excludes only `\n`; `\s` is ASCII;
 *   `^`/`$` are text anchors, line anchors under `(?m)` (after or before `\n` only); `[[:alpha:]]`;
 *   `]` first in a class is literal; a `{` that does not start a repeat is literal; octal `\012`;
 *   `\x{263a}`; `\a`; `(?P<name>re)`; `\pL`, `\p{greek}`, `\p{Uppercase_Letter}` (Go 1.26's names,
 *   Tyk's Go); `\Q...\E`; `(?s)`, `(?m)` and `(?U)` anywhere;
 * - what cannot be written for Node 20's RegExp is refused with the reason: `(?i)` anywhere but
 *   at the very start (JavaScript has no scoped modifiers yet), and negated Unicode classes under
 *   `(?i)` (the two languages fold them differently);
 * - a repeat whose body may match the empty string by preference while it could match text: a
 *   lazy `a??` or `a*?` inside it, or an alternative that can be empty ahead of another, as in
 *   `(?:a??)+` or `(?:^|a)*`. JavaScript drops an empty iteration and backtracks into the body,
 *   RE2 keeps it, so the matches differ (found by running both on random expressions).
 *
 * Groups become non-capturing: only whole matches are used (Tyk's FindAllString). With `captures`
 * (for Tyk's FindAllSubmatch, as basic auth's body regexps use it), plain and named groups capture
 * and are numbered as Go numbers them; a capture group inside a repeat that may run twice is
 * refused, because JavaScript clears a capture at each iteration and Go keeps the last one set.
 */

export type Re2Translation =
  | { readonly ok: true; readonly regexp: RegExp; /** Capture groups (0 without `captures`). */ readonly groups: number }
  | { readonly ok: false; readonly reason: string };

export interface Re2Options {
  /** Keep groups capturing, numbered as in Go (default: every group is non-capturing). */
  readonly captures?: boolean;
}

export function translateRe2(pattern: string, options: Re2Options = {}): Re2Translation {
  try {
    const translator = new Translator(pattern, options.captures === true);
    const regexp = translator.run();
    return { ok: true, regexp, groups: translator.groups };
  } catch (err) {
    if (err instanceof Re2Error) return { ok: false, reason: err.message };
    throw err;
  }
}

/** What a piece of the expression can match, to find repeats the two engines run differently. */
interface Props {
  readonly nullable: boolean;
  readonly nonEmpty: boolean;
  /** It may match empty by preference where it could match text. */
  readonly risky: boolean;
  /** It holds a capture group. */
  readonly captures: boolean;
}

const CHAR: Props = { nullable: false, nonEmpty: true, risky: false, captures: false };
const ASSERTION: Props = { nullable: true, nonEmpty: false, risky: false, captures: false };

function sequence(items: readonly Props[]): Props {
  const nullable = items.every((p) => p.nullable);
  return { nullable, nonEmpty: items.some((p) => p.nonEmpty), risky: nullable && items.some((p) => p.risky), captures: items.some((p) => p.captures) };
}

function alternation(alternatives: readonly Props[]): Props {
  let emptyFirst = false;
  let seenNullable = false;
  for (const alternative of alternatives) {
    if (seenNullable && alternative.nonEmpty) emptyFirst = true;
    seenNullable ||= alternative.nullable;
  }
  const nullable = alternatives.some((p) => p.nullable);
  return {
    nullable,
    nonEmpty: alternatives.some((p) => p.nonEmpty),
    risky: nullable && (emptyFirst || alternatives.some((p) => p.risky)),
    captures: alternatives.some((p) => p.captures),
  };
}

interface Frame {
  readonly alternatives: Props[];
  items: Props[];
}

interface Scope {
  dotNl: boolean;
  multiLine: boolean;
  ungreedy: boolean;
}

interface Group {
  outStart: number;
  saved: Scope;
  /** A `(?i:...)` opened at the start: it must close at the end for `i` to be a global flag. */
  foldGroup: boolean;
  capturing: boolean;
}

const MAX_REPEAT = 1000;
const EMPTY_FIRST =
  'applies to something that may match the empty string before it matches text (a lazy ?? or *? inside it, ' +
  'or an alternative that can be empty ahead of another); Go (RE2) and JavaScript repeat that differently, ' +
  'so it is refused: make each repetition consume text';
const SCOPED_FOLD = "a case-insensitive flag is supported only at the very start of the expression (Node 20's RegExp has no scoped flags)";

class Translator extends Re2Reader {
  private out = '';
  private scope: Scope = { dotNl: false, multiLine: false, ungreedy: false };
  private readonly open: Group[] = [];
  private readonly frames: Frame[] = [{ alternatives: [], items: [] }];
  private readonly names = new Set<string>();
  /** Where the last thing a repeat may apply to starts in `out`. */
  private atom: { start: number; assertion: boolean } | undefined;
  private repeated = false;
  /** Where the repeat operator that `repeated` is about starts, for Go's message. */
  private repeatFrom = 0;
  /** Capture groups written so far. */
  groups = 0;

  constructor(
    pattern: string,
    private readonly captures: boolean,
  ) {
    super(pattern);
  }

  run(): RegExp {
    while (this.i < this.cps.length) this.step();
    if (this.open.length > 0) this.fail('missing closing )');
    try {
      return new RegExp(this.out, this.foldCase ? 'giu' : 'gu');
    } catch (err) {
      return this.fail(`could not be translated to a JavaScript RegExp (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private step(): void {
    const c = this.cps[this.i] as number;
    switch (String.fromCodePoint(c)) {
      case '(':
        return this.openGroup();
      case ')':
        return this.closeGroup();
      case '|':
        this.i++;
        this.out += '|';
        this.frame.alternatives.push(sequence(this.frame.items));
        this.frame.items = [];
        this.atom = undefined;
        this.repeated = false;
        return;
      case '*':
        this.i++;
        return this.repeat('*', 0, -1, this.i - 1);
      case '+':
        this.i++;
        return this.repeat('+', 1, -1, this.i - 1);
      case '?':
        this.i++;
        return this.repeat('?', 0, 1, this.i - 1);
      case '{':
        return this.braces();
      case '^':
        this.i++;
        return this.emit(this.scope.multiLine ? '(?:^|(?<=\\n))' : '^', true);
      case '$':
        this.i++;
        return this.emit(this.scope.multiLine ? '(?:$|(?=\\n))' : '$', true);
      case '.':
        this.i++;
        return this.emit(this.scope.dotNl ? '[^]' : '[^\\n]', false);
      case '[':
        return this.emit(this.charClassSource(), false);
      case '\\':
        return this.escape();
      default:
        this.i++;
        return this.emit(literalSource(c), false);
    }
  }

  private get frame(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  private emit(source: string, assertion: boolean): void {
    this.atom = { start: this.out.length, assertion };
    this.frame.items.push(assertion ? ASSERTION : CHAR);
    this.out += source;
    this.repeated = false;
  }

  private repeat(op: string, min: number, max: number, from: number): void {
    let lazy = false;
    if (this.peek() === QUESTION) {
      lazy = true;
      this.i++;
    }
    if (this.repeated) this.fail(`invalid nested repetition operator: \`${this.text(this.repeatFrom)}\``);
    if (this.atom === undefined) this.fail(`missing argument to repetition operator: \`${this.text(from)}\``);
    // JavaScript refuses a quantifier right after an assertion (`^*`); Go allows it.
    if (this.atom.assertion) this.out = `${this.out.slice(0, this.atom.start)}(?:${this.out.slice(this.atom.start)})`;
    const effectivelyLazy = lazy !== this.scope.ungreedy;
    this.out += op + (effectivelyLazy ? '?' : '');
    this.repeated = true;
    this.repeatFrom = from;
    const body = this.frame.items.pop() as Props;
    if ((max < 0 || max > min) && body.risky) {
      this.fail(`the repeat \`${this.text(from)}\` at offset ${from} ${EMPTY_FIRST}`);
    }
    if (body.captures && (max < 0 || max > 1)) {
      this.fail(`the repeat \`${this.text(from)}\` at offset ${from} applies to a capture group; Go keeps the capture of the last iteration that set it, JavaScript clears it at each iteration, so it is refused`);
    }
    const nullable = min === 0 || body.nullable;
    const nonEmpty = body.nonEmpty && max !== 0;
    this.frame.items.push({ nullable, nonEmpty, risky: nullable && (body.risky || (effectivelyLazy && min === 0 && nonEmpty)), captures: body.captures });
  }

  /** `{n}`, `{n,}`, `{n,m}` (no leading zeros) is a repeat; any other `{` is a literal, as in Go. */
  private braces(): void {
    const from = this.i;
    let j = this.i + 1;
    const number = (): number | undefined => {
      const start = j;
      if (!isDigit(this.cps[j])) return undefined;
      if (this.cps[j] === 0x30 && isDigit(this.cps[j + 1])) return undefined;
      while (isDigit(this.cps[j])) j++;
      const digits = this.text(start, j);
      return digits.length > 9 ? Infinity : Number(digits);
    };
    const min = number();
    let max: number | undefined = min;
    let ok = min !== undefined;
    if (ok && this.cps[j] === 0x2c /* , */) {
      j++;
      max = this.cps[j] === RBRACE ? -1 : number();
      ok = max !== undefined;
    }
    if (!ok || this.cps[j] !== RBRACE || min === undefined || max === undefined) {
      this.i++;
      return this.emit(literalSource(LBRACE), false);
    }
    this.i = j + 1;
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) this.fail(`invalid repeat count: \`${this.text(from)}\``);
    this.repeat(max === min ? `{${min}}` : max < 0 ? `{${min},}` : `{${min},${max}}`, min, max, from);
  }

  private openGroup(): void {
    const from = this.i;
    if (this.peek(1) !== QUESTION) {
      this.i++;
      return this.pushGroup(false, this.captures);
    }
    const c1 = this.peek(2);
    const c2 = this.peek(3);
    if (c1 === ch('=') || c1 === ch('!')) this.fail(`${NOT_RE2} lookahead (\`${this.text(from, from + 3)}\`)`);
    if (c1 === ch('<') && (c2 === ch('=') || c2 === ch('!'))) this.fail(`${NOT_RE2} lookbehind (\`${this.text(from, from + 4)}\`)`);
    if (c1 === ch('<')) return this.namedGroup(from, from + 3);
    if (c1 === ch('P')) {
      if (c2 === ch('<')) return this.namedGroup(from, from + 4);
      if (c2 === ch('=')) this.fail(`${NOT_RE2} backreferences (\`(?P=name)\`)`);
      this.fail(`invalid or unsupported Perl syntax: \`${this.text(from, from + 4)}\``);
    }
    this.flagsGroup(from);
  }

  private namedGroup(from: number, nameStart: number): void {
    let end = nameStart;
    while (end < this.cps.length && this.cps[end] !== ch('>')) end++;
    if (end >= this.cps.length) this.fail(`invalid named capture: \`${this.text(from, end)}\``);
    const name = this.text(nameStart, end);
    if (!/^[A-Za-z0-9_]+$/.test(name)) this.fail(`invalid named capture: \`${this.text(from, end + 1)}\``);
    if (this.names.has(name)) this.fail(`duplicate capture group name: \`${this.text(from, end + 1)}\``);
    this.names.add(name);
    this.i = end + 1;
    this.pushGroup(false, this.captures);
  }

  /** `(?flags)` and `(?flags:re)`, flags from `imsU` with an optional `-`; parsed as Go does. */
  private flagsGroup(from: number): void {
    const next: Scope = { ...this.scope };
    let fold = this.foldCase;
    let negate = false;
    let sawFlag = false;
    let j = from + 2;
    for (; j < this.cps.length; j++) {
      const c = String.fromCodePoint(this.cps[j] as number);
      const on = !negate;
      if (c === 'i') fold = on;
      else if (c === 'm') next.multiLine = on;
      else if (c === 's') next.dotNl = on;
      else if (c === 'U') next.ungreedy = on;
      else if (c === '-' && !negate) {
        negate = true;
        sawFlag = false;
        continue;
      } else if ((c === ':' || c === ')') && !(negate && !sawFlag)) {
        this.i = j + 1;
        const turnsFoldOn = fold && !this.foldCase;
        if (fold !== this.foldCase) {
          if (from !== 0 || !fold) this.fail(`\`${this.text(from, j + 1)}\`: ${SCOPED_FOLD}; write (?i) first, for the whole expression`);
          this.foldCase = true;
        }
        if (c === ':') this.pushGroup(turnsFoldOn, false);
        this.scope = next;
        return;
      } else break;
      sawFlag = true;
    }
    this.fail(`invalid or unsupported Perl syntax: \`${this.text(from, Math.min(j + 1, this.cps.length))}\``);
  }

  private pushGroup(foldGroup: boolean, capturing: boolean): void {
    this.open.push({ outStart: this.out.length, saved: { ...this.scope }, foldGroup, capturing });
    this.frames.push({ alternatives: [], items: [] });
    if (capturing) this.groups++;
    this.out += capturing ? '(' : '(?:';
    this.atom = undefined;
    this.repeated = false;
  }

  private closeGroup(): void {
    const group = this.open.pop();
    if (group === undefined) this.fail(`unexpected ): \`${this.text(0, this.i + 1)}\``);
    this.i++;
    if (group.foldGroup && this.i < this.cps.length) {
      this.fail('`(?i:...)` is supported only around the whole expression (Node 20\'s RegExp has no scoped flags); write (?i) first');
    }
    this.out += ')';
    const frame = this.frames.pop() as Frame;
    const body = alternation([...frame.alternatives, sequence(frame.items)]);
    this.frame.items.push(group.capturing ? { ...body, captures: true } : body);
    this.scope = group.saved;
    this.atom = { start: group.outStart, assertion: false };
    this.repeated = false;
  }

  private escape(): void {
    const c = this.peek(1);
    if (c === undefined) this.fail('trailing backslash at end of expression');
    const name = String.fromCodePoint(c);
    if ('AzbB'.includes(name)) {
      this.i += 2;
      return this.emit({ A: '^', z: '$', b: '\\b', B: '\\B' }[name] as string, true);
    }
    if (name === 'Q') return this.quoted();
    if (name === 'p' || name === 'P') return this.emit(this.unicodeEscape(), false);
    if (PERL_CLASSES.has(c)) {
      this.i += 2;
      return this.emit(perlClass(name, false, this.foldCase), false);
    }
    this.emit(literalSource(this.escapedChar()), false);
  }

  /** `\Q...\E`: everything up to `\E` (or the end) is literal. */
  private quoted(): void {
    this.i += 2;
    while (this.i < this.cps.length && !(this.cps[this.i] === BACKSLASH && this.cps[this.i + 1] === ch('E'))) {
      this.emit(literalSource(this.cps[this.i] as number), false);
      this.i++;
    }
    if (this.i < this.cps.length) this.i += 2;
  }
}
