import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HookgateError } from '../errors/index.js';
import { deepFreeze, readJsonFile, validateDocument, type Problem } from '../validation/index.js';
import { POLICY_FOREIGN_FIELDS, policySchema, type Policy } from './schema.js';

/** Where policies come from: Tyk's file source (`policies.policy_path` wins over `policy_record_name`). */
export interface PolicySource {
  /** A folder of `*.json` files, one policy each. */
  readonly dir: string | undefined;
  /** One JSON file: an object of policy ID → policy. */
  readonly recordFile: string | undefined;
}

export interface PolicyProblem {
  readonly file: string;
  readonly problem: Problem;
}

export interface PolicyLoadResult {
  /** Every policy, frozen; meaningful only when `errors` is empty (a set with errors is never used). */
  readonly policies: readonly Policy[];
  readonly errors: readonly PolicyProblem[];
  readonly warnings: readonly PolicyProblem[];
}

/** A policy set with errors, as one error naming each problem. */
export function policyLoadError(result: PolicyLoadResult): HookgateError {
  return new HookgateError('HG_ERR_POLICY_INVALID', `policies refused: ${result.errors.map(({ file, problem }) => `${file}: ${problem.message}`).join('; ')}`);
}

export const NO_POLICIES: PolicySource = { dir: undefined, recordFile: undefined };

/**
 * Reads and validates every policy. Any error refuses the whole set (the caller keeps what it
 * had, or does not start): a policy applied without part of its restrictions, or a key whose
 * policy silently vanished, would let through what Tyk stops.
 */
export async function loadPolicies(source: PolicySource): Promise<PolicyLoadResult> {
  const out = new Collector();
  if (source.dir !== undefined) await fromDir(source.dir, out);
  else if (source.recordFile !== undefined) await fromRecordFile(source.recordFile, out);
  return { policies: out.policies, errors: out.errors, warnings: out.warnings };
}

class Collector {
  readonly policies: Policy[] = [];
  readonly errors: PolicyProblem[] = [];
  readonly warnings: PolicyProblem[] = [];
  readonly #seen = new Map<string, string>();

  /** Validates one policy; `label` says where it is in its file ("" for a file of its own). */
  add(file: string, label: string, document: unknown, idFrom: (parsed: Policy) => string): void {
    const at = (problem: Problem): Problem => (label === '' ? problem : { path: `${label}.${problem.path}`, message: `policy ${JSON.stringify(label)}: ${problem.message}` });
    const result = validateDocument(policySchema, document, POLICY_FOREIGN_FIELDS);
    for (const problem of result.warnings) this.warnings.push({ file, problem: at(problem) });
    for (const problem of result.errors) this.errors.push({ file, problem: at(problem) });
    const parsed = result.parsed;
    if (parsed === undefined || result.errors.length > 0) return;
    const id = idFrom(parsed);
    if (id === '') {
      this.errors.push({ file, problem: at({ path: 'id', message: 'Expected `id` to be a non-empty string (the policy ID keys and tokens name), got nothing' }) });
      return;
    }
    const key = `${parsed.org_id}\u0000${id}`;
    const other = this.#seen.get(key);
    if (other !== undefined) {
      this.errors.push({ file, problem: at({ path: 'id', message: `\`id\` ${JSON.stringify(id)} (org ${JSON.stringify(parsed.org_id)}) is already defined in ${other}` }) });
      return;
    }
    this.#seen.set(key, file);
    this.policies.push(deepFreeze({ ...parsed, id }));
  }
}

async function fromDir(dir: string, out: Collector): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.json')).map((e) => e.name).sort();
  } catch (err) {
    out.errors.push({ file: dir, problem: { path: 'policies.policy_path', message: `\`policies.policy_path\`: cannot read the folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` } });
    return;
  }
  for (const name of names) {
    const file = join(dir, name);
    const read = await readJsonFile(file);
    if (!read.ok) out.errors.push({ file, problem: { path: '(file)', message: read.problem } });
    // A policy file of its own names itself with `id` (or Tyk's database `_id`).
    else out.add(file, '', read.value, (p) => p.id || (typeof p._id === 'string' ? p._id : ''));
  }
}

async function fromRecordFile(file: string, out: Collector): Promise<void> {
  const read = await readJsonFile(file);
  if (!read.ok) {
    out.errors.push({ file, problem: { path: 'policies.policy_record_name', message: `\`policies.policy_record_name\`: ${read.problem}` } });
    return;
  }
  const value = read.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.errors.push({ file, problem: { path: '(top level)', message: 'Expected the policy file to be a JSON object of policy ID → policy' } });
    return;
  }
  // As Tyk: the object's key is the policy's ID; the policy's own `id` only when the key is empty.
  for (const [key, document] of Object.entries(value)) out.add(file, key, document, (p) => key || p.id);
}
