import type * as z from 'zod';
import { closestMatch } from './closest.js';
import { deepFreeze } from './freeze.js';
import { describeValue, formatPath, valueAt, type DocPath } from './paths.js';
import { findUnknownKeys } from './walk.js';

/**
 * What Hookgate does with a field that belongs to Tyk's format but that Hookgate does not
 * implement yet, when the field is set to something other than its zero value:
 * - `refuse`: ignoring it would let through what Tyk would stop (an auth method, an allow list),
 *   so the document is refused;
 * - `warn`: ignoring it changes behaviour but lets nothing through; one warning.
 * Zero values (false, 0, "", empty lists and objects) mean "feature off" in Tyk, which is what
 * Hookgate does anyway, so those are accepted quietly.
 */
export interface ForeignField {
  readonly effect: 'refuse' | 'warn';
  /** What the field does, for the message: "IP allow list". */
  readonly feature: string;
  /**
   * Decides per value when a field is only sometimes dangerous; by default a zero value is `off`
   * and anything else gets `effect`.
   */
  readonly classify?: (value: unknown, document: unknown) => 'refuse' | 'warn' | 'off';
}

/** Tyk's fields of one document type, by schema path (`proxy.service_discovery`, `version_data.versions.*.paths`). */
export type ForeignFieldCatalogue = ReadonlyMap<string, ForeignField>;

export interface Problem {
  readonly path: string;
  readonly message: string;
}

export interface ValidationResult<T> {
  /** Present when there are no errors; deeply frozen. */
  readonly value: T | undefined;
  /**
   * The schema's output whenever the schema itself passed, even if other checks failed, so
   * callers can run their own checks and report every problem at once. Not frozen.
   */
  readonly parsed: T | undefined;
  readonly errors: readonly Problem[];
  readonly warnings: readonly Problem[];
}

/** True for false, 0, "", null, and arrays and objects made only of zero values. */
export function isZeroValue(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.every(isZeroValue);
  if (typeof value === 'object') return Object.values(value).every(isZeroValue);
  return false;
}

interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string | undefined;
  readonly params?: Record<string, unknown> | undefined;
}

/** "Expected `proxy.listen_path` to be a string starting with /, got 42 (number)". */
export function describeIssue(issue: IssueLike, input: unknown): Problem {
  const path = issue.path as DocPath;
  const where = formatPath(path);
  if (issue.code === 'custom' && issue.params?.['statement'] === true) {
    return { path: where, message: `\`${where}\`: ${issue.message}` };
  }
  return { path: where, message: `Expected \`${where}\` to be ${issue.message}, got ${describeValue(valueAt(input, path))}` };
}

/**
 * Validates a whole document at once: every schema problem, every unsupported Tyk field that is
 * switched on, and every unknown key (with the closest known key) are reported together.
 */
export function validateDocument<S extends z.ZodType>(
  schema: S,
  input: unknown,
  foreign: ForeignFieldCatalogue,
): ValidationResult<z.output<S>> {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];

  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    errors.push({ path: '(top level)', message: `Expected the document to be a JSON object, got ${describeValue(input)}` });
    return { value: undefined, parsed: undefined, errors, warnings };
  }

  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors.push(describeIssue(issue, input));
  }

  for (const unknown of findUnknownKeys(schema, input)) {
    const where = formatPath([...unknown.parent, unknown.key]);
    const rule = foreign.get(unknown.schemaPath === '' ? unknown.key : `${unknown.schemaPath}.${unknown.key}`);
    if (rule !== undefined) {
      const effect = rule.classify ? rule.classify(unknown.value, input) : isZeroValue(unknown.value) ? 'off' : rule.effect;
      if (effect === 'off') continue;
      if (effect === 'refuse') {
        errors.push({
          path: where,
          message: `\`${where}\` turns on ${rule.feature}, which Hookgate does not support yet; refused rather than run without it`,
        });
      } else {
        warnings.push({ path: where, message: `\`${where}\` (${rule.feature}) is not supported by Hookgate yet and is ignored` });
      }
      continue;
    }
    const suggestion = closestMatch(unknown.key, unknown.known);
    warnings.push({
      path: where,
      message: `Unknown key \`${where}\` is ignored${suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`}`,
    });
  }

  const data = parsed.success ? parsed.data : undefined;
  if (errors.length > 0 || data === undefined) return { value: undefined, parsed: data, errors, warnings };
  return { value: deepFreeze(data), parsed: data, errors, warnings };
}

/**
 * Validates a part of a larger document (an OAS scheme object, the vendor extension) and reports
 * its problems at their place in the whole: every path, in the problem and in its message, gets
 * `prefix` in front.
 */
export function validateAt<S extends z.ZodType>(schema: S, input: unknown, prefix: string, foreign: ForeignFieldCatalogue): ValidationResult<z.output<S>> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    const problem = { path: prefix, message: `Expected \`${prefix}\` to be an object, got ${describeValue(input)}` };
    return { value: undefined, parsed: undefined, errors: [problem], warnings: [] };
  }
  const result = validateDocument(schema, input, foreign);
  const at = (path: string) => (path === '(top level)' ? prefix : path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`);
  const move = (problem: Problem): Problem => ({
    path: at(problem.path),
    message: problem.message.replace(/`([^`]*)`/g, (whole, inner: string) =>
      inner === problem.path || inner.startsWith(`${problem.path}.`) || inner.startsWith(`${problem.path}[`) ? `\`${at(inner)}\`` : whole),
  });
  return { ...result, errors: result.errors.map(move), warnings: result.warnings.map(move) };
}
