import type { IncomingMessage } from 'node:http';

export type BodyResult = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly reason: 'too_large' | 'aborted'; readonly detail: string };

/**
 * Reads a request body whole, refusing it as soon as it passes `limit` bytes (from
 * Content-Length before reading anything, or while reading), so a huge body is never held.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    return { ok: false, reason: 'too_large', detail: `Content-Length ${declared} is over the limit of ${limit} bytes` };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) return { ok: false, reason: 'too_large', detail: `the body passed the limit of ${limit} bytes` };
      chunks.push(chunk);
    }
  } catch (err) {
    return { ok: false, reason: 'aborted', detail: err instanceof Error ? err.message : String(err) };
  }
  return { ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) };
}
