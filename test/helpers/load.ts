import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * A small, bounded load generator for the fault suite: N clients, each on its own keep-alive
 * connection, sending requests back to back (optionally with a pause) round-robin over targets,
 * until stopped, until `maxRequests` in all or until `maxMs` have passed, whichever comes first.
 * Every request's outcome and timestamps are kept, so a test can say what clients saw during a
 * fault and when they saw success again.
 */

export interface LoadTarget {
  /** A name for reports ("keyless", "token", "plugin", "python"). */
  readonly name: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** False for requests that carry no credential or a wrong one: they must never reach the upstream. */
  readonly authenticated: boolean;
}

export interface Outcome {
  readonly target: string;
  readonly authenticated: boolean;
  readonly client: number;
  /** 0 when no response came (connection error or the per-request timeout). */
  readonly status: number;
  /** The start of the body of a non-2xx answer, or the error message. */
  readonly detail: string;
  /** Body bytes received. */
  readonly bytes: number;
  /** performance.now() at send and at the end of the response (or the error). */
  readonly start: number;
  readonly end: number;
}

export interface LoadOptions {
  readonly clients?: number;
  readonly maxRequests?: number;
  readonly maxMs?: number;
  /** Pause between one client's requests (moderate load on a shared machine). */
  readonly pauseMs?: number;
  readonly requestTimeoutMs?: number;
}

export interface RunningLoad {
  readonly outcomes: Outcome[];
  /** Stops sending; resolves once every client's last request has ended. */
  stop(): Promise<Outcome[]>;
  /** Resolves when the load stops by itself (count or time) or is stopped. */
  readonly done: Promise<Outcome[]>;
}

function once(agent: Agent, base: string, target: LoadTarget, client: number, timeoutMs: number): Promise<Outcome> {
  const start = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let size = 0;
    const finish = (status: number, detail: string) => {
      if (settled) return;
      settled = true;
      resolve({ target: target.name, authenticated: target.authenticated, client, status, detail, bytes: size, start, end: performance.now() });
    };
    const req = httpRequest(`${base}${target.path}`, { agent, headers: target.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        if (size < 512) chunks.push(c);
        size += c.length;
      });
      res.on('error', (err) => finish(0, `response error: ${err.message}`));
      // A response cut short must never count as a success, whatever events Node emits for it.
      res.on('close', () => finish(0, 'the response ended before it was complete'));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        finish(status, status >= 200 && status < 300 ? '' : Buffer.concat(chunks).toString('utf8').slice(0, 200));
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', (err) => finish(0, err.message));
    req.end();
  });
}

/** Starts the load against `base` (http://127.0.0.1:port). */
export function startLoad(base: string, targets: readonly LoadTarget[], options: LoadOptions = {}): RunningLoad {
  if (targets.length === 0) throw new Error('startLoad needs at least one target');
  const clients = options.clients ?? 6;
  const maxRequests = options.maxRequests ?? 200_000;
  const maxMs = options.maxMs ?? 60_000;
  const pauseMs = options.pauseMs ?? 0;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const outcomes: Outcome[] = [];
  const began = performance.now();
  let stopping = false;
  let sent = 0;
  const client = async (index: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = index; !stopping && sent < maxRequests && performance.now() - began < maxMs; i++) {
        sent++;
        const target = targets[i % targets.length] as LoadTarget;
        outcomes.push(await once(agent, base, target, index, timeoutMs));
        if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    } finally {
      agent.destroy();
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, i) => client(i))).then(() => outcomes);
  return {
    outcomes,
    done,
    stop() {
      stopping = true;
      return done;
    },
  };
}

export const ok = (o: Outcome): boolean => o.status >= 200 && o.status < 300;

/** Status counts per target, e.g. { plugin: { '200': 812, '403': 40 } }. */
export function tally(outcomes: readonly Outcome[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const o of outcomes) {
    const row = (out[`${o.target}${o.authenticated ? '' : '(bad cred)'}`] ??= {});
    row[String(o.status)] = (row[String(o.status)] ?? 0) + 1;
  }
  return out;
}

/**
 * How long after `clearedAt` (performance.now()) clients saw success again on `target`: the end of
 * the first successful request that started after the fault was cleared and after the first
 * failure the fault caused (`from` on). 0 when the fault caused no failure at all; undefined
 * when no success came.
 */
export function recoveryMs(outcomes: readonly Outcome[], target: string, from: number, clearedAt: number): number | undefined {
  const mine = outcomes.filter((o) => o.target === target && o.authenticated).sort((a, b) => a.start - b.start);
  const firstFailure = mine.find((o) => o.start >= from && !ok(o));
  if (firstFailure === undefined) return 0;
  const after = Math.max(clearedAt, firstFailure.end);
  const success = mine.find((o) => o.start >= after && ok(o));
  return success === undefined ? undefined : Math.max(0, Math.round(success.end - clearedAt));
}

/** Outcomes in a time window (by start), for "what clients saw during the fault". */
export const during = (outcomes: readonly Outcome[], from: number, to: number): Outcome[] => outcomes.filter((o) => o.start >= from && o.start < to);

/** Requests without a valid credential that got a 2xx (the gateway let them through). */
export const unauthenticatedSuccesses = (outcomes: readonly Outcome[]): Outcome[] => outcomes.filter((o) => !o.authenticated && ok(o));
