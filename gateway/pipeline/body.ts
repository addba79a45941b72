import type { IncomingMessage } from 'node:http';

export type BodyResult = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly reason: 'too_large' | 'aborted'; readonly detail: string };

/**
 * Reads a request body whole, refusing it as soon as it passes `limit` bytes (from
 * Content-Length before reading anything, or while reading), so a huge body is never held. The
 * stream is left open on refusal: `discardRest` decides what happens to the remainder.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.resolve({ ok: false, reason: 'too_large', detail: `Content-Length ${declared} is over the limit of ${limit} bytes` });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      req.removeListener('aborted', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, reason: 'too_large', detail: `the body passed the limit of ${limit} bytes` });
      } else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) });
    const onError = (err: Error) => finish({ ok: false, reason: 'aborted', detail: err.message });
    const onAborted = () => finish({ ok: false, reason: 'aborted', detail: 'the client aborted the request' });
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('aborted', onAborted);
  });
}

/** Past this much of a refused body, or this long, the connection is cut instead of drained. */
const LINGER_MAX_BYTES = 16 * 1024 * 1024;
const LINGER_MAX_MS = 5000;

/**
 * Before answering a request early (413), reads and throws away the rest of its body, up to a
 * cap: answering while the client is still sending, and closing, makes most clients report a
 * broken pipe instead of the answer. `over_cap`: the client sends too much or too slowly, so the
 * caller should answer now and close; `gone`: the client went away.
 */
export function drainRest(req: IncomingMessage): Promise<'drained' | 'over_cap' | 'gone'> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (req.readableEnded) return Promise.resolve('drained');
  if (Number.isFinite(declared) && declared > LINGER_MAX_BYTES) return Promise.resolve('over_cap');
  return new Promise((resolve) => {
    let seen = 0;
    const done = (outcome: 'drained' | 'over_cap' | 'gone') => {
      clearTimeout(timer);
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('close', onClose);
      if (outcome === 'over_cap') req.pause();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > LINGER_MAX_BYTES) done('over_cap');
    };
    const onEnd = () => done('drained');
    const onClose = () => done(req.readableEnded ? 'drained' : 'gone');
    const timer = setTimeout(() => done('over_cap'), LINGER_MAX_MS);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    req.resume();
  });
}
