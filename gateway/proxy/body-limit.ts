import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

/** Raised into undici when a streamed request body passes the API's limit. */
export class BodyTooLargeError extends Error {
  readonly code = 'HG_BODY_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`the request body passed the limit of ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The client's body as a stream that fails once it passes `limit` bytes. Only bodies of unknown
 * length (chunked) need it: a declared Content-Length over the limit is refused before anything
 * is read, and Node's parser never delivers more than the declared length.
 */
export function limitedBody(req: IncomingMessage, limit: number): Transform {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) {
        req.unpipe(counter);
        req.pause();
        callback(new BodyTooLargeError(limit));
        return;
      }
      callback(null, chunk);
    },
  });
  req.once('aborted', () => counter.destroy(new Error('the client aborted the request')));
  req.pipe(counter);
  return counter;
}

/** The body length the client declared, or undefined when it did not (chunked, or none). */
export function declaredLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
