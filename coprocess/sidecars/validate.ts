import { normalizeAddress } from './address.js';
import type { SidecarSpec } from './types.js';

/**
 * Checks what the config schema cannot see one sidecar at a time: names and addresses unique
 * across sidecars, and timings that keep supervision sane (a zero backoff would restart a
 * crashing sidecar in a busy loop). Throws one error listing every problem.
 */
export function checkSpecs(specs: readonly SidecarSpec[]): void {
  const problems: string[] = [];
  const names = new Set<string>();
  const addresses = new Map<string, string>();
  for (const spec of specs) {
    const who = `sidecar "${spec.name}"`;
    if (spec.name === '') problems.push('a sidecar has an empty name');
    else if (names.has(spec.name)) problems.push(`${who} is declared twice`);
    names.add(spec.name);
    if (spec.command === '') problems.push(`${who}: command is empty`);
    if (spec.address === '') problems.push(`${who}: address is empty`);
    else {
      const address = normalizeAddress(spec.address);
      const other = addresses.get(address);
      if (other !== undefined) problems.push(`${who}: address ${spec.address} is already the address of sidecar "${other}"`);
      else addresses.set(address, spec.name);
    }
    const positive = ['readyTimeoutMs', 'restartBackoffInitialMs', 'restartBackoffMaxMs'] as const;
    for (const key of positive) {
      if (!Number.isFinite(spec[key]) || spec[key] <= 0) problems.push(`${who}: ${key} must be a positive number of milliseconds, got ${spec[key]}`);
    }
    if (!Number.isFinite(spec.stopGraceMs) || spec.stopGraceMs < 0) {
      problems.push(`${who}: stopGraceMs must be zero or more milliseconds, got ${spec.stopGraceMs}`);
    }
    if (spec.restartBackoffMaxMs < spec.restartBackoffInitialMs) {
      problems.push(`${who}: restartBackoffMaxMs (${spec.restartBackoffMaxMs}) is below restartBackoffInitialMs (${spec.restartBackoffInitialMs})`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid sidecar specs:\n- ${problems.join('\n- ')}`);
}
