import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultBed, type FaultBed } from '../helpers/fault-bed.js';
import { assertGatewayHealthy, report, waitServing } from '../helpers/fault-run.js';
import { ok, startLoad, tally, unauthenticatedSuccesses } from '../helpers/load.js';
import { hasProgram } from '../helpers/programs.js';

/**
 * A bounded soak: moderate load through every API (keyless, token on Redis, plugin auth, Python
 * auth) for HOOKGATE_SOAK_MS (default 90 s, so .ci/run stays in its budget), sampling the
 * gateway's (and the Python bridge's) resident memory and the gateway's open descriptors from
 * /proc. After a warmup (the first quarter), memory must stay flat (bounded growth) and
 * descriptors must not creep.
 */
const SOAK_MS = Number(process.env['HOOKGATE_SOAK_MS'] ?? 90_000);
const SAMPLES = 13;
/**
 * Growth allowed between the lowest RSS of the first third of the samples after warmup and the
 * lowest of the last third. Lows, because RSS saws up and down by ~50 MiB with garbage
 * collection; a leak lifts the lows. With the default 90 s (7,500 to 13,000 requests after
 * warmup, depending on the machine) this catches a leak of about 4 to 6 KiB per request or more;
 * a longer HOOKGATE_SOAK_MS catches smaller ones.
 */
const RSS_GROWTH_LIMIT_MIB = 48;
const FD_DRIFT_LIMIT = 10;

const rssKiB = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
/** The lowest value of the last third minus the lowest of the first third. */
const lowGrowth = (values: number[]): number => {
  const third = Math.max(1, Math.floor(values.length / 3));
  return Math.round((Math.min(...values.slice(-third)) - Math.min(...values.slice(0, third))) * 10) / 10;
};

interface Sample {
  readonly atS: number;
  readonly requests: number;
  readonly rssMiB: number;
  readonly fds: number;
  readonly bridgeRssMiB: number;
}

describe('soak', { timeout: SOAK_MS + 120_000 }, () => {
  let bed: FaultBed;
  before(async () => {
    bed = await startFaultBed({ python: hasProgram('python3') || process.env['CI'] === 'true' });
  });
  after(async () => {
    await bed?.stop();
  });

  it(`${Math.round(SOAK_MS / 1000)} s of moderate load: flat memory and descriptors, no failure, nothing unauthenticated through`, async (t) => {
    await waitServing(bed);
    const bridge = bed.targets.some((x) => x.name === 'python') ? bed.python().bridgePid : undefined;
    const load = startLoad(bed.gw.url(''), bed.targets, { clients: 4, pauseMs: 5, maxMs: SOAK_MS, maxRequests: 2_000_000 });
    const began = performance.now();
    const samples: Sample[] = [];
    const sample = () =>
      samples.push({
        atS: Math.round((performance.now() - began) / 1000),
        requests: load.outcomes.length,
        rssMiB: Math.round(rssKiB(bed.gw.pid) / 102.4) / 10,
        fds: bed.fds(),
        bridgeRssMiB: bridge === undefined ? 0 : Math.round(rssKiB(bridge) / 102.4) / 10,
      });
    for (let i = 0; i < SAMPLES; i++) {
      sample();
      if (i < SAMPLES - 1) await sleep(SOAK_MS / (SAMPLES - 1) - 50);
    }
    const outcomes = await load.stop();
    const failed = outcomes.filter((o) => o.authenticated && !ok(o));
    const warm = samples.slice(Math.floor(SAMPLES / 4));
    const growth = lowGrowth(warm.map((s) => s.rssMiB));
    const bridgeGrowth = bridge === undefined ? 0 : lowGrowth(warm.map((s) => s.bridgeRssMiB));
    const fds = warm.map((s) => s.fds);
    const seconds = SOAK_MS / 1000;
    report(t, {
      fault: 'soak',
      test: t.fullName,
      seconds,
      requests: outcomes.length,
      perSecond: Math.round(outcomes.length / seconds),
      failed: failed.length,
      unauthenticatedPassThroughs: bed.up.unauthenticated.length + unauthenticatedSuccesses(outcomes).length,
      rssGrowthAfterWarmupMiB: growth,
      bridgeRssGrowthAfterWarmupMiB: bridgeGrowth,
      fdRangeAfterWarmup: [Math.min(...fds), Math.max(...fds)],
      samples,
      statuses: tally(outcomes),
    });
    assert.deepEqual(failed.slice(0, 5).map((o) => `${o.target} ${o.status} ${o.detail}`), [], `${failed.length} requests failed`);
    assert.equal(bed.up.unauthenticated.length + unauthenticatedSuccesses(outcomes).length, 0, 'nothing unauthenticated got through');
    assert.ok(growth < RSS_GROWTH_LIMIT_MIB, `the gateway's RSS lows grew by ${growth} MiB after warmup: ${warm.map((s) => s.rssMiB).join(', ')}`);
    assert.ok(bridgeGrowth < RSS_GROWTH_LIMIT_MIB, `the Python bridge's RSS lows grew by ${bridgeGrowth} MiB after warmup`);
    assert.ok(Math.max(...fds) - Math.min(...fds) <= FD_DRIFT_LIMIT, `descriptors after warmup: ${fds.join(', ')}`);
    assertGatewayHealthy(bed);
  });
});
