import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** True when `name` runs here. */
export function hasProgram(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Skips the test with a clear message when a program is missing on a laptop; on CI (CI=true) a
 * missing program fails the test, so a broken install step cannot hide behind a green skip.
 * Returns false when the test was skipped.
 */
export function requireProgram(t: TestContext, name: string, installHint: string): boolean {
  if (hasProgram(name)) return true;
  const message = `${name} is not installed (${installHint})`;
  if (process.env['CI'] === 'true') throw new Error(`${message}; CI must install it (.ci/run)`);
  t.skip(message);
  return false;
}

/** True when `python3` runs here and can import every one of `modules`. */
export function hasPythonModules(modules: readonly string[]): boolean {
  if (!hasProgram('python3')) return false;
  return spawnSync('python3', ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Like requireProgram, for Python modules: skips the test on a laptop when python3 or one of the
 * modules is missing, fails it on CI (CI=true). Returns false when the test was skipped.
 */
export function requirePythonModules(t: TestContext, modules: readonly string[], installHint: string): boolean {
  if (hasPythonModules(modules)) return true;
  const what = hasProgram('python3') ? `the Python module(s) ${modules.join(', ')} are not installed` : 'python3 is not installed';
  const message = `${what} (${installHint})`;
  if (process.env['CI'] === 'true') throw new Error(`${message}; CI must install it (.ci/run)`);
  t.skip(message);
  return false;
}
