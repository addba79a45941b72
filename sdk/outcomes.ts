/**
 * What a hook can return instead of editing the object by hand. Each maps onto the protocol's
 * `return_overrides` and session exactly as Tyk applies them (docs/sdk.md, "Outcomes"):
 * - allow: a session whose `metadata.token` is the identity (auth_check only);
 * - deny: `response_code` >= 400 with `response_error`; the gateway answers in its error shape,
 *   `{"error": "<message>"}`, and stops;
 * - respond: `response_code` with `override_error` so the gateway answers with the body verbatim.
 */
import { requireName } from './headers.js';
import type { SessionInit } from './session.js';

export const OUTCOME: unique symbol = Symbol.for('hookgate.sdk.outcome');

export interface Allow {
  readonly [OUTCOME]: true;
  readonly kind: 'allow';
  readonly token: string;
  readonly session: SessionInit | undefined;
}

export interface Deny {
  readonly [OUTCOME]: true;
  readonly kind: 'deny';
  readonly status: number;
  /** Empty: the gateway's default text (Tyk: `Key not authorised`). */
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Respond {
  readonly [OUTCOME]: true;
  readonly kind: 'respond';
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export type Outcome = Allow | Deny | Respond;

/** A JSON value a direct response can carry (sent with `Content-Type: application/json`). */
export type JsonBody = { readonly [key: string]: unknown } | readonly unknown[];

/**
 * True for a value made by allow(), deny() or respond().
 *
 * @example
 * const result = await handler(request, session, metadata, spec, context);
 * if (isOutcome(result) && result.kind === 'deny') console.log(result.status);
 */
export function isOutcome(value: unknown): value is Outcome {
  return value !== null && typeof value === 'object' && (value as Partial<Record<typeof OUTCOME, unknown>>)[OUTCOME] === true;
}

function requireStatus(status: unknown, min: number, what: string): asserts status is number {
  if (typeof status !== 'number' || !Number.isInteger(status) || status < min || status > 599) {
    throw new RangeError(`${what}: status must be an integer from ${min} to 599, got ${String(status)}`);
  }
}

function copyHeaders(headers: Readonly<Record<string, string>> | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (typeof value !== 'string') throw new TypeError(`${what}: header ${JSON.stringify(key)} must be a string, got ${typeof value}`);
    out[key] = value;
  }
  return out;
}

/**
 * Grants access (auth_check hooks): `token` becomes the session's identity (`metadata.token`), the
 * rate-limit and quota key unless `metadata.rate_limit_pattern` says otherwise. `session` sets
 * fields on the hook's session.
 *
 * @example
 * plugin.authCheck('MyAuth', (request) =>
 *   request.getHeader('Authorization') === KEY ? allow(KEY, { rate: 1000, per: 1 }) : deny(403, 'Access denied'));
 */
export function allow(token: string, session?: SessionInit): Allow {
  requireName(token, 'allow(token)');
  return { [OUTCOME]: true, kind: 'allow', token, session };
}

/**
 * Refuses the request with `status` (400 to 599) and `message`; the gateway answers in its error
 * shape (`{"error": "<message>"}`; Tyk's text `Key not authorised` when the message is empty),
 * adds `headers`, and stops.
 *
 * @example
 * return deny(401, 'Missing API key', { 'WWW-Authenticate': 'ApiKey' });
 */
export function deny(status: number, message = '', headers?: Readonly<Record<string, string>>): Deny {
  requireStatus(status, 400, 'deny(status)');
  if (typeof message !== 'string') throw new TypeError(`deny(status, message): message must be a string, got ${typeof message}`);
  return { [OUTCOME]: true, kind: 'deny', status, message, headers: copyHeaders(headers, 'deny()') };
}

/**
 * Answers the request directly with `status` (100 to 599), `body` sent verbatim, and `headers`;
 * the upstream is not called. An object or array body is sent as JSON with
 * `Content-Type: application/json` unless `headers` sets one.
 *
 * @example
 * return respond(200, { status: 'ok' });                                        // a health answer
 * return respond(302, '', { Location: 'https://login.example.com' });          // a redirect
 */
export function respond(status: number, body: string | JsonBody = '', headers?: Readonly<Record<string, string>>): Respond {
  requireStatus(status, 100, 'respond(status)');
  const out = copyHeaders(headers, 'respond()');
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body !== null && typeof body === 'object' && !(body instanceof Uint8Array)) {
    text = JSON.stringify(body);
    if (!Object.keys(out).some((k) => k.toLowerCase() === 'content-type')) out['Content-Type'] = 'application/json';
  } else throw new TypeError(`respond(status, body): body must be a string, an object or an array, got ${body === null ? 'null' : typeof body}`);
  return { [OUTCOME]: true, kind: 'respond', status, body: text, headers: out };
}
