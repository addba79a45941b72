/**
 * Character sets of Go's regexp syntax (RE2 plus Go's Perl extensions) written as JavaScript
 * class members. They are spelled out where JavaScript's own escape means something else: `\s` is
 * ASCII in Go and Unicode-wide in JavaScript, and POSIX classes (`[[:alpha:]]`) do not exist in
 * JavaScript at all (it would read them as a set of the letters `[:alph`).
 */

export type Range = readonly [number, number];

const MAX_RUNE = 0x10ffff;

/** Go's `\s` is `[\t\n\f\r ]`: no `\v`, no Unicode spaces. */
export const GO_SPACE: readonly Range[] = [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]];

/** Go's `[[:name:]]` classes (regexp/syntax perl_groups.go); all ASCII. */
export const POSIX_CLASSES: ReadonlyMap<string, readonly Range[]> = new Map<string, readonly Range[]>([
  ['alnum', [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]]],
  ['alpha', [[0x41, 0x5a], [0x61, 0x7a]]],
  ['ascii', [[0x00, 0x7f]]],
  ['blank', [[0x09, 0x09], [0x20, 0x20]]],
  ['cntrl', [[0x00, 0x1f], [0x7f, 0x7f]]],
  ['digit', [[0x30, 0x39]]],
  ['graph', [[0x21, 0x7e]]],
  ['lower', [[0x61, 0x7a]]],
  ['print', [[0x20, 0x7e]]],
  ['punct', [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]]],
  ['space', [[0x09, 0x0d], [0x20, 0x20]]],
  ['upper', [[0x41, 0x5a]]],
  ['word', [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]]],
  ['xdigit', [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]]],
]);

/** Go's unicode.Categories (Go 1.26, which Tyk builds with; `C` includes the unassigned Cn). */
const GO_CATEGORIES = new Set([
  'C', 'Cc', 'Cf', 'Cn', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl',
  'No', 'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs',
]);

/** Go 1.26's unicode.CategoryAliases, by canonical name. */
const GO_CATEGORY_ALIASES = new Map(
  Object.entries({
    Cased_Letter: 'LC', Close_Punctuation: 'Pe', Combining_Mark: 'M', Connector_Punctuation: 'Pc', Control: 'Cc',
    Currency_Symbol: 'Sc', Dash_Punctuation: 'Pd', Decimal_Number: 'Nd', Enclosing_Mark: 'Me', Final_Punctuation: 'Pf',
    Format: 'Cf', Initial_Punctuation: 'Pi', Letter: 'L', Letter_Number: 'Nl', Line_Separator: 'Zl', Lowercase_Letter: 'Ll',
    Mark: 'M', Math_Symbol: 'Sm', Modifier_Letter: 'Lm', Modifier_Symbol: 'Sk', Nonspacing_Mark: 'Mn', Number: 'N',
    Open_Punctuation: 'Ps', Other: 'C', Other_Letter: 'Lo', Other_Number: 'No', Other_Punctuation: 'Po', Other_Symbol: 'So',
    Paragraph_Separator: 'Zp', Private_Use: 'Co', Punctuation: 'P', Separator: 'Z', Space_Separator: 'Zs', Spacing_Mark: 'Mc',
    Surrogate: 'Cs', Symbol: 'S', Titlecase_Letter: 'Lt', Unassigned: 'Cn', Uppercase_Letter: 'Lu', cntrl: 'Cc', digit: 'Nd', punct: 'P',
  }).map(([name, category]) => [canonicalName(name), category]),
);

/**
 * The scripts Go 1.26 finds: it looks unicode.Scripts up by canonical name, so only the one-word
 * names (no `Old_Italic`, no `SignWriting`, no 4-letter aliases such as `Grek`).
 */
const GO_SCRIPTS = new Set([
  'Adlam', 'Ahom', 'Arabic', 'Armenian', 'Avestan', 'Balinese', 'Bamum', 'Batak', 'Bengali', 'Bhaiksuki',
  'Bopomofo', 'Brahmi', 'Braille', 'Buginese', 'Buhid', 'Carian', 'Chakma', 'Cham', 'Cherokee', 'Chorasmian',
  'Common', 'Coptic', 'Cuneiform', 'Cypriot', 'Cyrillic', 'Deseret', 'Devanagari', 'Dogra', 'Duployan',
  'Elbasan', 'Elymaic', 'Ethiopic', 'Georgian', 'Glagolitic', 'Gothic', 'Grantha', 'Greek', 'Gujarati',
  'Gurmukhi', 'Han', 'Hangul', 'Hanunoo', 'Hatran', 'Hebrew', 'Hiragana', 'Inherited', 'Javanese', 'Kaithi',
  'Kannada', 'Katakana', 'Kawi', 'Kharoshthi', 'Khmer', 'Khojki', 'Khudawadi', 'Lao', 'Latin', 'Lepcha',
  'Limbu', 'Lisu', 'Lycian', 'Lydian', 'Mahajani', 'Makasar', 'Malayalam', 'Mandaic', 'Manichaean',
  'Marchen', 'Medefaidrin', 'Miao', 'Modi', 'Mongolian', 'Mro', 'Multani', 'Myanmar', 'Nabataean',
  'Nandinagari', 'Newa', 'Nko', 'Nushu', 'Ogham', 'Oriya', 'Osage', 'Osmanya', 'Palmyrene', 'Phoenician',
  'Rejang', 'Runic', 'Samaritan', 'Saurashtra', 'Sharada', 'Shavian', 'Siddham', 'Sinhala', 'Sogdian',
  'Soyombo', 'Sundanese', 'Syriac', 'Tagalog', 'Tagbanwa', 'Takri', 'Tamil', 'Tangsa', 'Tangut', 'Telugu',
  'Thaana', 'Thai', 'Tibetan', 'Tifinagh', 'Tirhuta', 'Toto', 'Ugaritic', 'Vai', 'Vithkuqi', 'Wancho',
  'Yezidi', 'Yi',
]);

/** regexp/syntax canonicalName: separators (`_ - space`) dropped, first letter upper, the rest lower. */
function canonicalName(name: string): string {
  let out = '';
  let first = true;
  for (const c of name) {
    if (c === '_' || c === '-' || c === ' ') continue;
    out += first ? (c >= 'a' && c <= 'z' ? c.toUpperCase() : c) : c >= 'A' && c <= 'Z' ? c.toLowerCase() : c;
    first = false;
  }
  return out;
}

/**
 * A Go Unicode class (`\pL`, `\p{Greek}`, negated or not) as one JavaScript escape, or undefined
 * when Go would not know the name. Names are looked up as Go 1.26's unicodeTable does: Any,
 * Assigned, ASCII, LC, then categories, scripts, and category aliases (`Uppercase_Letter`).
 */
export function unicodeClass(name: string, negated: boolean): string | undefined {
  const canonical = canonicalName(name);
  let sign = negated;
  let property: string | undefined;
  if (canonical === 'Any') property = 'Any';
  else if (canonical === 'Assigned') {
    property = 'gc=Cn';
    sign = !sign;
  } else if (canonical === 'Ascii') property = 'ASCII';
  else if (canonical === 'Lc') property = 'gc=LC';
  else if (GO_CATEGORIES.has(canonical)) property = `gc=${canonical}`;
  else if (isScript(canonical)) property = `Script=${canonical}`;
  else if (GO_CATEGORY_ALIASES.has(canonical)) property = `gc=${GO_CATEGORY_ALIASES.get(canonical) as string}`;
  return property === undefined ? undefined : `\\${sign ? 'P' : 'p'}{${property}}`;
}

function isScript(canonical: string): boolean {
  if (!GO_SCRIPTS.has(canonical)) return false;
  try {
    new RegExp(`\\p{Script=${canonical}}`, 'u');
    return true;
  } catch {
    return false;
  }
}

const hex = (cp: number): string => `\\u{${cp.toString(16)}}`;

/** One code point or range as a class member; escaped, so nothing in it is class syntax. */
export function rangeSource(lo: number, hi: number): string {
  return lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`;
}

export const rangesSource = (ranges: readonly Range[]): string => ranges.map(([lo, hi]) => rangeSource(lo, hi)).join('');

/** A literal code point outside a class: ASCII letters and digits as they are, the rest escaped. */
export function literalSource(cp: number): string {
  const isAlnum = (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return isAlnum ? String.fromCharCode(cp) : hex(cp);
}

/** Everything not in `ranges` (which must be sorted and disjoint). */
export function complement(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

/**
 * Go negates a case-folded class after folding it; adding the ASCII letters' fold partners first
 * (the other case, and U+017F for s, U+212A for k) makes the complement match what Go's does.
 */
export function foldAscii(ranges: readonly Range[]): Range[] {
  const letters = new Set<number>();
  for (const [lo, hi] of ranges) {
    for (let cp = Math.max(lo, 0x41); cp <= Math.min(hi, 0x7a); cp++) {
      if (cp <= 0x5a) letters.add(cp + 0x20);
      else if (cp >= 0x61) letters.add(cp);
    }
  }
  const all: Range[] = [...ranges];
  for (const lower of letters) {
    all.push([lower, lower], [lower - 0x20, lower - 0x20]);
    if (lower === 0x73) all.push([0x17f, 0x17f]);
    if (lower === 0x6b) all.push([0x212a, 0x212a]);
  }
  return normalize(all);
}

function normalize(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}
