import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SidecarStatus } from '../../coprocess/index.js';
import type { Store } from '../storage/index.js';

import { VERSION, WORKER_ID } from '../meta.js';

interface HealthState {
  readonly store: Store;
  /** Sidecars and Python bridges, as `/hello` components. */
  readonly sidecars: { statuses(): readonly SidecarStatus[] } | undefined;
  readonly shuttingDown: () => boolean;
  readonly hideGeneratorHeader: boolean;
}

/** Tyk's control-API shape, `{"status": "error", "message": ...}` plus a newline (Go's encoder). */
function writeJson(res: ServerResponse, status: number, body: unknown, hideGenerator: boolean): void {
  const text = `${JSON.stringify(body)}\n`;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  if (!hideGenerator) res.setHeader('x-generator', 'hookgate');
  // Which worker answered, under `hookgate start --workers N` (operations.md).
  if (WORKER_ID !== undefined) res.setHeader('x-hookgate-worker', WORKER_ID);
  res.end(text);
}

/**
 * `GET /hello` as Tyk answers it: always 200, `status` pass / warn / fail from the components'
 * checks, details per component. A failing store is reported, not hidden.
 */
export async function handleLiveness(req: IncomingMessage, res: ServerResponse, state: HealthState): Promise<void> {
  if (req.method !== 'GET') {
    writeJson(res, 405, { status: 'error', message: 'Method Not Allowed' }, state.hideGeneratorHeader);
    return;
  }
  const storage = await state.store.health();
  const details: Record<string, { status: string; componentType: string; output?: string; time: string }> = { [state.store.kind]: storage };
  for (const sidecar of state.sidecars?.statuses() ?? []) {
    const ready = sidecar.state === 'ready';
    details[`sidecar:${sidecar.name}`] = {
      status: ready ? 'pass' : 'fail',
      componentType: 'component',
      ...(ready ? {} : { output: `${sidecar.state}${sidecar.reason === undefined ? '' : `: ${sidecar.reason}`}` }),
      time: storage.time,
    };
  }
  const failed = Object.values(details).filter((item) => item.status === 'fail').length;
  const total = Object.keys(details).length;
  const status = failed === 0 ? 'pass' : failed === total ? 'fail' : 'warn';
  writeJson(res, 200, { status, version: VERSION, description: 'Hookgate (Tyk GW compatible)', details }, state.hideGeneratorHeader);
}

/** `GET /ready`: 503 while shutting down or while the store is unreachable, as Tyk's readiness check. */
export async function handleReadiness(req: IncomingMessage, res: ServerResponse, state: HealthState): Promise<void> {
  if (req.method !== 'GET') {
    writeJson(res, 405, { status: 'error', message: 'Method Not Allowed' }, state.hideGeneratorHeader);
    return;
  }
  if (state.shuttingDown()) {
    writeJson(res, 503, { status: 'error', message: 'Gateway is shutting down' }, state.hideGeneratorHeader);
    return;
  }
  const storage = await state.store.health();
  if (storage.status === 'fail') {
    writeJson(res, 503, { status: 'error', message: 'Redis connection not available' }, state.hideGeneratorHeader);
    return;
  }
  writeJson(res, 200, { status: 'pass', version: VERSION, description: 'Hookgate ready', details: { [state.store.kind]: storage } }, state.hideGeneratorHeader);
}
