import { connect, type Socket } from 'node:net';

/** What came back on a raw connection: every byte, split at the first response's head. */
export interface RawResult {
  readonly raw: Buffer;
  /** The first response's status, or 0 when nothing parseable came back. */
  readonly status: number;
  /** The first response's head (status line and headers) as text. */
  readonly head: string;
  /** The first response's body, by its Content-Length (or everything after the head). */
  readonly body: string;
  /** How many responses (status lines) the bytes hold. */
  readonly responses: number;
  /** True when the gateway closed the connection; false when the wait ran out first. */
  readonly closed: boolean;
  readonly elapsedMs: number;
}

export interface RawOptions {
  /** Pause between the parts written (slow clients). */
  readonly gapMs?: number;
  /** Stop waiting (and destroy the socket) after this long; the result then says closed: false. */
  readonly waitMs?: number;
  /** Resolve as soon as one whole response is in, instead of waiting for the close. */
  readonly firstResponse?: boolean;
  /** Half-close the connection once every part is written (the client has nothing more to say). */
  readonly endAfterWrite?: boolean;
}

export function parseRaw(raw: Buffer): Pick<RawResult, 'status' | 'head' | 'body' | 'responses'> {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
  const rest = end === -1 ? '' : text.slice(end + 4);
  const body = Number.isFinite(length) ? rest.slice(0, length) : rest;
  const responses = (text.match(/(^|\r\n)HTTP\/1\.[01] \d{3} /g) ?? []).length;
  return { status, head, body, responses };
}

/** Whether `raw` holds one whole response with a Content-Length body. */
function hasWholeResponse(raw: Buffer): boolean {
  const parsed = parseRaw(raw);
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(parsed.head)?.[1] ?? NaN);
  const end = raw.indexOf('\r\n\r\n');
  return end !== -1 && Number.isFinite(length) && raw.length >= end + 4 + length;
}

/**
 * Writes `parts` to a fresh connection (with `gapMs` between them, stopping if the gateway
 * closes) and collects what comes back until the gateway closes the connection, or `waitMs`.
 */
export function rawExchange(port: number, parts: readonly (string | Buffer)[], options: RawOptions = {}): Promise<RawResult> {
  const started = Date.now();
  const waitMs = options.waitMs ?? 10_000;
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      resolve({ raw, ...parseRaw(raw), closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.firstResponse === true && hasWholeResponse(Buffer.concat(chunks))) finish();
    });
    socket.on('error', () => {
      closed = true;
      finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', () => {
      void (async () => {
        for (const part of parts) {
          if (settled || socket.destroyed || !socket.writable) return;
          socket.write(part);
          if (options.gapMs !== undefined) await new Promise((r) => setTimeout(r, options.gapMs));
        }
        if (options.endAfterWrite === true && !settled) socket.end();
      })();
    });
  });
}

/** A connection that stays open: for holding connection slots. */
export function openConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends one request on an open connection and resolves with the first whole response. */
export function requestOn(socket: Socket, request: string, waitMs = 5000): Promise<RawResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.removeListener('data', onData);
      reject(new Error(`no whole response within ${waitMs} ms: ${Buffer.concat(chunks).toString('latin1')}`));
    }, waitMs);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      const raw = Buffer.concat(chunks);
      if (!hasWholeResponse(raw)) return;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      resolve({ raw, ...parseRaw(raw), closed: false, elapsedMs: Date.now() - started });
    };
    socket.on('data', onData);
    socket.write(request);
  });
}
