/**
 * Bodies as the coprocess protocol carries them: `raw_body` (bytes) is the body; `body` (string)
 * is a copy the gateway fills only for valid UTF-8 and ignores on the way back. Reading prefers
 * `raw_body`; writing sets both, so a gateway that reads either sees the same bytes.
 */
import { isUtf8 } from 'node:buffer';

/** The fields of MiniRequestObject and ResponseObject that carry a body. */
export interface BodyFields {
  raw_body: Buffer;
  body: string;
}

export function bodyBytes(fields: BodyFields): Buffer {
  // Gateways older than Tyk 2.9 (2018) send only `body`.
  if (fields.raw_body.length === 0 && fields.body !== '') return Buffer.from(fields.body, 'utf8');
  return fields.raw_body;
}

export function bodyText(fields: BodyFields): string {
  return bodyBytes(fields).toString('utf8');
}

export function bodyJson(fields: BodyFields, what: string): unknown {
  const text = bodyText(fields);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    throw new SyntaxError(`the ${what} body is not valid JSON (${(err as Error).message}): ${JSON.stringify(shown)}`, { cause: err });
  }
}

/** Sets the body from text, bytes, or (for `setJson`) a value serialised as JSON. */
export function setBody(fields: BodyFields, body: string | Uint8Array, what: string): void {
  if (typeof body === 'string') {
    fields.raw_body = Buffer.from(body, 'utf8');
    fields.body = body;
    return;
  }
  if (!(body instanceof Uint8Array)) {
    throw new TypeError(`${what}.setBody(body): body must be a string or a Uint8Array/Buffer, got ${body === null ? 'null' : typeof body}; use setJson() for values`);
  }
  fields.raw_body = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  fields.body = isUtf8(fields.raw_body) ? fields.raw_body.toString('utf8') : '';
}

export function setJsonBody(fields: BodyFields, value: unknown, what: string): void {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what}.setJson(value): ${typeof value} cannot be written as JSON`);
  setBody(fields, text, what);
}
