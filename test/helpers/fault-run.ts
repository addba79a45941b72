import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import type { FaultBed } from './fault-bed.js';
import { request } from './http.js';
import { during, ok, recoveryMs, startLoad, tally, unauthenticatedSuccesses, type LoadTarget, type Outcome } from './load.js';

/**
 * One fault under load: steady load through every API of the bed, the fault injected, held,
 * cleared, and the figures the suite reports: what clients saw during the fault, unauthenticated
 * pass-throughs (must be 0) and the recovery time of each affected API.
 */

export interface FaultScenario {
  /** The row's name in docs/reliability.md. */
  readonly fault: string;
  /** APIs (target names) whose recovery is measured and required. */
  readonly affected: readonly string[];
  readonly inject: () => Promise<void>;
  /** How long the fault is held before clear() (default 2 s). */
  readonly holdMs?: number;
  readonly clear?: () => Promise<void>;
  readonly warmMs?: number;
  /** A generous bound on recovery (default 30 s); the figure itself is only reported. */
  readonly recoveryLimitMs?: number;
  readonly targets?: readonly LoadTarget[];
  readonly clients?: number;
}

export interface FaultFigures {
  readonly fault: string;
  readonly test: string;
  /** Statuses per target from the injection until recovery. */
  readonly duringFault: Record<string, Record<string, number>>;
  /** Failed answers of unaffected APIs after warmup. */
  readonly collateral: number;
  readonly requests: number;
  readonly unauthenticatedPassThroughs: number;
  readonly recoveryMs: Record<string, number>;
  /** Error lines the gateway logged during the scenario, by message and reason, counted. */
  readonly gatewayErrors: Record<string, number>;
  /** A few bodies clients got for failed requests during the fault. */
  readonly failureBodies: string[];
  readonly outcomes: readonly Outcome[];
  readonly injectedAt: number;
  readonly clearedAt: number;
}

/** Fails unless the gateway is running and wrote no crash or unhandled rejection. */
export function assertGatewayHealthy(bed: FaultBed): void {
  assert.equal(bed.gw.child.exitCode, null, `the gateway exited; stderr: ${bed.gw.stderr()}`);
  const fatal = bed.gw.logs.filter((l) => l.level >= 60 || /unhandled|uncaught/i.test(String(l.msg)));
  assert.deepEqual(fatal, [], 'no fatal log line, no unhandled rejection or uncaught exception');
  assert.doesNotMatch(bed.gw.stderr(), /unhandled|uncaught|Error:/i, 'nothing alarming on stderr');
}

/** Waits (bounded) until every API answers a valid credential with 200: a scenario starts on a healthy bed. */
export async function waitServing(bed: FaultBed, targets: readonly LoadTarget[] = bed.targets, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (const target of targets.filter((x) => x.authenticated)) {
    for (;;) {
      const status = await request(bed.gw.url(target.path), { headers: target.headers ?? {}, timeoutMs: 5000 }).then((r) => r.status, () => 0);
      if (status === 200) break;
      if (performance.now() > deadline) throw new Error(`${target.name} does not serve (${status}) before the fault`);
      await sleep(100);
    }
  }
}

export async function runFault(t: TestContext, bed: FaultBed, scenario: FaultScenario): Promise<FaultFigures> {
  const targets = scenario.targets ?? bed.targets;
  const base = bed.gw.url('');
  await waitServing(bed, targets);
  const logsBefore = bed.gw.logs.length;
  const unauthBefore = bed.up.unauthenticated.length;
  const load = startLoad(base, targets, { clients: scenario.clients ?? 6, pauseMs: 2, maxMs: 120_000, maxRequests: 400_000 });
  let injectedAt = 0;
  let clearedAt = 0;
  try {
    await sleep(scenario.warmMs ?? 1000);
    injectedAt = performance.now();
    await scenario.inject();
    await sleep(scenario.holdMs ?? 2000);
    clearedAt = performance.now();
    await scenario.clear?.();
    const limit = scenario.recoveryLimitMs ?? 30_000;
    // Wait (bounded) until every affected API answered a request started after the fault cleared.
    const deadline = performance.now() + limit;
    // A fault's first failures can come a little after it was injected (a killed sidecar is noticed
    // when its connection drops), so "recovered" also needs a failure seen, or 2 s without one.
    const recovered = (name: string) => {
      const ms = recoveryMs(load.outcomes, name, injectedAt, clearedAt);
      return ms !== undefined && (ms > 0 || performance.now() - clearedAt > 2000);
    };
    while (performance.now() < deadline && !scenario.affected.every(recovered)) await sleep(50);
    await sleep(1000);
  } finally {
    await load.stop();
  }
  const outcomes = load.outcomes;
  const recovery: Record<string, number> = {};
  for (const name of scenario.affected) {
    const ms = recoveryMs(outcomes, name, injectedAt, clearedAt);
    assert.ok(ms !== undefined, `${name} did not recover within ${scenario.recoveryLimitMs ?? 30_000} ms of clearing "${scenario.fault}"; ${JSON.stringify(tally(during(outcomes, clearedAt, Infinity)))}`);
    recovery[name] = ms;
  }
  // What clients saw from the injection until every affected API had recovered (at least 1 s).
  const held = during(outcomes, injectedAt, Math.max(injectedAt + 1000, clearedAt + Math.max(0, ...Object.values(recovery))));
  const collateral = outcomes.filter((o) => o.start > injectedAt - 500 && o.authenticated && !ok(o) && !scenario.affected.includes(o.target)).length;
  const passThroughs = bed.up.unauthenticated.length - unauthBefore + unauthenticatedSuccesses(outcomes).length;
  const figures: FaultFigures = {
    fault: scenario.fault,
    test: t.fullName,
    duringFault: tally(held),
    collateral,
    requests: outcomes.length,
    unauthenticatedPassThroughs: passThroughs,
    recoveryMs: recovery,
    gatewayErrors: errorLines(bed, logsBefore),
    failureBodies: [...new Set(held.filter((o) => o.authenticated && !ok(o)).map((o) => `${o.status} ${o.detail.replace(/\s+/g, ' ')}`))].slice(0, 4),
    outcomes,
    injectedAt,
    clearedAt,
  };
  report(t, figures);
  assert.equal(passThroughs, 0, `unauthenticated requests got through: ${JSON.stringify(bed.up.unauthenticated.slice(unauthBefore, unauthBefore + 5))}`);
  // After recovery, clients see steady success again: the last second of load on every API.
  const tail = outcomes.filter((o) => o.authenticated && o.start > Math.max(...outcomes.map((x) => x.start)) - 500);
  assert.deepEqual(tail.filter((o) => !ok(o)).map((o) => `${o.target} ${o.status} ${o.detail}`), [], 'every API serves again after recovery');
  return figures;
}

/** The gateway's error lines since `from`, by message and reason (numbers and paths blurred), counted. */
function errorLines(bed: FaultBed, from: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of bed.gw.logs.slice(from)) {
    if (line.level < 50) continue;
    const reason = typeof line['err'] === 'string' ? line['err'] : JSON.stringify(line['err'] ?? line['reason'] ?? '');
    const key = `${line.msg}: ${reason}`.replace(/\/tmp\/\S+/g, '<path>').replace(/\d+/g, 'N').slice(0, 160);
    out[key] = (out[key] ?? 0) + 1 + Number(line['suppressed_since_last'] ?? 0);
  }
  return out;
}

/** Prints the figures (t.diagnostic, so CI output has them) and appends them to $HOOKGATE_FAULT_FIGURES. */
export function report(t: TestContext, figures: Omit<FaultFigures, 'outcomes' | 'injectedAt' | 'clearedAt'> | Record<string, unknown>): void {
  const { outcomes: _o, injectedAt: _i, clearedAt: _c, ...printable } = figures as Record<string, unknown>;
  const line = JSON.stringify(printable);
  t.diagnostic(`FIGURES ${line}`);
  const file = process.env['HOOKGATE_FAULT_FIGURES'];
  if (file !== undefined && file !== '') appendFileSync(file, `${line}\n`);
}
