import vm from 'node:vm';

/**
 * Match number `index` of Go's `re.FindAllString(input, -1)`, run on a JavaScript RegExp that
 * translate (re2.ts) made equivalent to Go's expression.
 *
 * Go's RE2 runs in time linear in the input; JavaScript's backtracking engine does not, and the
 * input here comes from a client that has not authenticated yet. Measured on Node 20, an ordinary
 * expression such as `[a-z]+@` takes 7 s on 64 KiB of `a` (each start position rescans the rest),
 * `a*a*b` takes 27 s on 4 KiB, and `(a+)+$` never ends on 40 characters. So two bounds apply:
 *
 * - the input is at most MAX_REGEX_INPUT_BYTES (64 KiB, UTF-8); a longer one is an extraction
 *   failure (Tyk has no limit). Header values are smaller anyway (Node's default limit for all
 *   headers is 16 KiB); form values and bodies this large are refused rather than cut, because a
 *   cut input can give another match, that is another session ID;
 * - the search runs in a vm context with a REGEX_TIME_BUDGET_MS (25 ms) timeout, which V8 enforces
 *   inside a running regex. Going over is an extraction failure. This costs a watchdog thread per
 *   call: about 45 µs of wall time (33 µs CPU) per extraction on the development machine, against
 *   a plugin round trip saved. The timeout is wall time, so a process that was merely not
 *   scheduled (a loaded host, a throttled container) could fail a harmless request: when the
 *   process used less than half the budget in CPU time, the search is run again, up to
 *   STALL_RETRIES times. A runaway regex burns CPU the whole time and is not retried.
 */

export const MAX_REGEX_INPUT_BYTES = 64 * 1024;
export const REGEX_TIME_BUDGET_MS = 25;
const STALL_RETRIES = 2;

export type FindResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/*
 * Go's allMatches loop (regexp.go): search from pos; an empty match right where the previous match
 * ended is dropped; after an empty match the search moves on by one code point (Go: one rune),
 * otherwise it goes on from the match's end. Only matches up to number `want` are needed.
 */
const FIND_ALL = new vm.Script(`
(function (re, s, want) {
  let pos = 0;
  let prevEnd = -1;
  let n = 0;
  while (pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null) return null;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === pos) {
      if (start === prevEnd) accept = false;
      const cp = s.codePointAt(pos);
      pos += cp === undefined ? 1 : cp > 0xffff ? 2 : 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) {
      if (n === want) return m[0];
      n++;
    }
  }
  return null;
})(globalThis.re, globalThis.input, globalThis.want)
`, { filename: 'hookgate-id-extractor-find-all.js' });

/** Go's `re.FindSubmatch(input)` (the first match, with its groups; "" for a group that took no part). */
const FIRST_SUBMATCH = new vm.Script(`
(function (re, s) {
  re.lastIndex = 0;
  const m = re.exec(s);
  return m === null ? null : Array.from(m, (g) => (g === undefined ? '' : g));
})(globalThis.re, globalThis.input)
`, { filename: 'hookgate-find-submatch.js' });

let context: vm.Context | undefined;

type Bounded = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/** Runs one of the scripts above under the input size limit and the time budget. */
function runBounded(script: vm.Script, regexp: RegExp, input: string, want: number, budgetMs: number): Bounded {
  const bytes = Buffer.byteLength(input, 'utf8');
  if (bytes > MAX_REGEX_INPUT_BYTES) {
    return { ok: false, reason: `the input is ${bytes} bytes; regex extraction runs on at most ${MAX_REGEX_INPUT_BYTES}` };
  }
  context ??= vm.createContext(Object.create(null) as object);
  const ctx = context as { re?: RegExp; input?: string; want?: number };
  ctx.re = regexp;
  ctx.input = input;
  ctx.want = want;
  try {
    for (let attempt = 0; ; attempt++) {
      const cpuBefore = process.cpuUsage();
      try {
        return { ok: true, value: script.runInContext(context, { timeout: budgetMs }) as unknown };
      } catch (err) {
        if ((err as { code?: unknown } | null)?.code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
          return { ok: false, reason: `the regex failed: ${err instanceof Error ? err.message : String(err)}` };
        }
        const cpu = process.cpuUsage(cpuBefore);
        const stalled = (cpu.user + cpu.system) / 1000 < budgetMs / 2;
        if (!stalled) return { ok: false, reason: `the regex ran past its ${budgetMs} ms budget on a ${bytes}-byte input` };
        if (attempt >= STALL_RETRIES) return { ok: false, reason: `the process stalled through ${attempt + 1} attempts of ${budgetMs} ms (a loaded host?)` };
      }
    }
  } finally {
    delete ctx.re;
    delete ctx.input;
    delete ctx.want;
  }
}

export function findMatch(regexp: RegExp, input: string, index: number, budgetMs = REGEX_TIME_BUDGET_MS): FindResult {
  const run = runBounded(FIND_ALL, regexp, input, index, budgetMs);
  if (!run.ok) return run;
  if (typeof run.value === 'string') return { ok: true, value: run.value };
  return { ok: false, reason: `the regex has no match number ${index} (counting from 0) in the input` };
}

export type SubmatchResult =
  | { readonly ok: true; /** The match and its groups; undefined when the regex does not match. */ readonly groups: readonly string[] | undefined }
  | { readonly ok: false; readonly reason: string };

/** The first match of a regexp translated with `captures` (re2.ts), under the same bounds as findMatch. */
export function findSubmatch(regexp: RegExp, input: string, budgetMs = REGEX_TIME_BUDGET_MS): SubmatchResult {
  const run = runBounded(FIRST_SUBMATCH, regexp, input, 0, budgetMs);
  if (!run.ok) return run;
  // An array of the vm context's realm (Array.isArray sees it), copied into this one.
  return { ok: true, groups: Array.isArray(run.value) ? Array.from(run.value as unknown[], String) : undefined };
}
