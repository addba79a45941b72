import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PLUGIN_TOKEN, startFaultBed, type FaultBed } from '../helpers/fault-bed.js';
import { assertGatewayHealthy, report, runFault } from '../helpers/fault-run.js';
import { startLoad } from '../helpers/load.js';

/**
 * Clients that walk away, under load: in the middle of sending a request, and in the middle of
 * receiving a response. The other clients see nothing, the gateway logs no unhandled rejection,
 * and its open file descriptors come back to where they were (no leaked sockets).
 */

/** Opens a raw connection, writes `text`, waits `afterMs` (reading what comes), then destroys it. */
function walkAway(port: number, text: string, afterMs: number, untilBytes = Infinity): Promise<number> {
  return new Promise((resolve) => {
    let received = 0;
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const leave = () => {
      socket.destroy();
      resolve(received);
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= untilBytes) leave();
    });
    socket.on('error', () => undefined);
    setTimeout(leave, afterMs);
  });
}

const request = (path: string, headers: Record<string, string> = {}) =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

/** Waits (bounded) for the gateway's descriptors to come back near `baseline`; returns the last count. */
async function settledFds(bed: FaultBed, baseline: number, slack: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let fds = bed.fds();
  while (fds > baseline + slack && Date.now() < deadline) {
    await sleep(250);
    fds = bed.fds();
  }
  return fds;
}

describe('clients disconnecting under load', { concurrency: false, timeout: 240_000 }, () => {
  let bed: FaultBed;
  let baseline = 0;
  before(async () => {
    bed = await startFaultBed();
    // The descriptors of a gateway that has served this load: pools warm, then idle.
    await startLoad(bed.gw.url(''), bed.targets, { clients: 6, maxMs: 1500 }).done;
    await sleep(1000);
    baseline = bed.fds();
  });
  after(async () => {
    await bed?.stop();
  });

  for (const [what, walkers] of [
    [
      'mid-request: headers cut off, bodies cut off (keyless and plugin auth)',
      (port: number) => [
        ...Array.from({ length: 100 }, () => walkAway(port, 'GET /open/o HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half', 50)),
        ...Array.from({ length: 100 }, () => walkAway(port, `POST /open/o HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'b'.repeat(1000)}`, 50)),
        ...Array.from({ length: 100 }, () =>
          walkAway(port, `POST /plug/p HTTP/1.1\r\nHost: x\r\nAuthorization: ${PLUGIN_TOKEN}\r\nContent-Length: 100000\r\n\r\n${'b'.repeat(1000)}`, 50),
        ),
      ],
    ],
    [
      'mid-response: waiting for a slow upstream, and halfway through a 1 MiB body',
      (port: number) => [
        ...Array.from({ length: 100 }, () => walkAway(port, request('/open/o?delay=400'), 100)),
        ...Array.from({ length: 100 }, () => walkAway(port, request('/plug/p?delay=400', { Authorization: PLUGIN_TOKEN }), 100)),
        ...Array.from({ length: 100 }, () => walkAway(port, request('/open/big'), 5000, 100_000)),
      ],
    ],
  ] as const) {
    it(`clients walking away ${what}: no leaked descriptors, no unhandled rejection, others unaffected`, async (t) => {
      let walked = 0;
      const figures = await runFault(t, bed, {
        fault: `300 clients disconnecting ${what.split(':')[0]}`,
        affected: [],
        holdMs: 500,
        inject: async () => {
          const received = await Promise.all(walkers(bed.gw.port));
          walked = received.length;
        },
      });
      const fds = await settledFds(bed, baseline, 15, 15_000);
      report(t, { fault: figures.fault, test: t.fullName, walkedAway: walked, fdsBefore: baseline, fdsAfter: fds, collateral: figures.collateral });
      assert.equal(walked, 300);
      assert.equal(figures.collateral, 0, 'the clients that stayed got their answers');
      assert.ok(fds <= baseline + 15, `the gateway holds ${fds} descriptors, ${baseline} before the disconnects`);
      assertGatewayHealthy(bed);
    });
  }
});
