/**
 * What a hook's reply means to the gateway, as typed data: the request changes the upstream will
 * see, and whether the chain stops, with which status and body. Follows Tyk's rules
 * (protocol.md §2.5 to §2.7, §2.11), so a test asserts what a client would get.
 */
import type { CoprocessObject__Output, ReturnOverrides__Output, SessionState__Output } from '../../coprocess/protocol/index.js';
import { jsonErrorBody } from '../../gateway/errors/index.js';
import { bodyJson, bodyText } from '../body.js';
import { canonicalHeaderKey, findHeaderKey } from '../headers.js';
import type { HookKind } from '../hook-types.js';

/** The request as the gateway forwards it after the hook. */
export interface RequestChanges {
  readonly setHeaders: Readonly<Record<string, string>>;
  readonly deleteHeaders: readonly string[];
  readonly addParams: Readonly<Record<string, string>>;
  readonly deleteParams: readonly string[];
  /** The headers after the changes (canonical names), as the upstream will see them. */
  readonly headers: Readonly<Record<string, string>>;
  /** The query parameters after the changes. */
  readonly params: Readonly<Record<string, string>>;
  readonly url: string;
  readonly method: string;
  /** The body sent upstream (`raw_body`). */
  readonly body: Buffer;
  readonly bodyChanged: boolean;
  /** A header after the changes, case-insensitively. */
  header(name: string): string | undefined;
  text(): string;
  json<T = unknown>(): T;
}

/** A response hook's result: the response the client gets. */
export interface ResponseChanges {
  readonly status: number;
  /** First value of each header. */
  readonly headers: Readonly<Record<string, string>>;
  readonly multivalueHeaders: ReadonlyArray<{ readonly key: string; readonly values: readonly string[] }>;
  readonly body: Buffer;
  header(name: string): string | undefined;
  text(): string;
  json<T = unknown>(): T;
}

export interface HookResult {
  readonly hookName: string;
  readonly kind: HookKind;
  /**
   * auth_check: a session with a non-empty token and no override that stops the request. Other
   * hooks: the request goes on to the next stage.
   */
  readonly allowed: boolean;
  /** The gateway answers with an error: an override >= 400 (not override_error), or an auth_check without a token (403 `Forbidden`). */
  readonly denied: boolean;
  /** The gateway answers with the hook's own status and body (a direct response). */
  readonly responded: boolean;
  /** The status the gateway answers with when the request stops here; undefined when it goes on. */
  readonly status: number | undefined;
  /** The error message of a denial, as in `{"error": "<message>"}`. */
  readonly error: string | undefined;
  /** The body the client gets when the request stops here (Tyk's JSON error shape for a denial). */
  readonly body: string | undefined;
  /** Headers the gateway adds to that answer (`return_overrides.headers`). */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** The identity granted (auth_check), i.e. the session's `metadata.token`. */
  readonly token: string | undefined;
  /** The returned session, or null. */
  readonly session: SessionState__Output | null;
  /** The session's metadata with `Object.metadata` merged in, as the gateway reads it. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly request: RequestChanges;
  /** Response hooks only. */
  readonly response: ResponseChanges | undefined;
  /** The reply Object as decoded. */
  readonly reply: CoprocessObject__Output;
}

function overridesOf(reply: CoprocessObject__Output): ReturnOverrides__Output {
  return reply.request?.return_overrides ?? { response_code: -1, response_error: '', headers: {}, override_error: false, response_body: '' };
}

/**
 * Reads a reply Object as the gateway applies it. `sentBody` is the body that was sent (for
 * `request.bodyChanged`). The clients call it for you; use it on replies you got another way.
 *
 * @example
 * const reply = await client.dispatch(object);
 * const result = evaluateReply(reply, 'auth_check', Buffer.alloc(0));
 * if (result.denied) console.log(result.status, result.error);
 */
export function evaluateReply(reply: CoprocessObject__Output, kind: HookKind, sentBody: Buffer): HookResult {
  const overrides = overridesOf(reply);
  const message = overrides.response_error !== '' ? overrides.response_error : overrides.response_body;
  const metadata: Record<string, string> = { ...(reply.session?.metadata ?? {}) };
  if (reply.session !== null) Object.assign(metadata, reply.metadata);
  const token = metadata['token'] === undefined || metadata['token'] === '' ? undefined : metadata['token'];

  let stop: { kind: 'denied' | 'responded'; status: number; error: string | undefined; body: string } | undefined;
  if (kind !== 'response') {
    if (overrides.response_code >= 400 && !overrides.override_error) {
      const error = message === '' ? 'Key not authorised' : message;
      stop = { kind: 'denied', status: overrides.response_code, error, body: jsonErrorBody(error) };
    } else if (overrides.response_code > 0) {
      stop = { kind: 'responded', status: overrides.response_code, error: undefined, body: message };
    } else if (kind === 'auth_check' && (reply.session === null || token === undefined)) {
      stop = { kind: 'denied', status: 403, error: 'Forbidden', body: jsonErrorBody('Forbidden') };
    }
  }
  return {
    hookName: reply.hook_name,
    kind,
    allowed: stop === undefined,
    denied: stop?.kind === 'denied',
    responded: stop?.kind === 'responded',
    status: stop?.status,
    error: stop?.error,
    body: stop?.body,
    responseHeaders: stop === undefined ? {} : overrides.headers,
    token,
    session: reply.session,
    metadata,
    request: requestChanges(reply, sentBody),
    response: kind === 'response' && reply.response !== null ? responseChanges(reply.response) : undefined,
    reply,
  };
}

function requestChanges(reply: CoprocessObject__Output, sentBody: Buffer): RequestChanges {
  const r = reply.request;
  const fields = { raw_body: r?.raw_body ?? Buffer.alloc(0), body: '' };
  const headers: Record<string, string> = { ...(r?.headers ?? {}) };
  // Applied in Tyk's order: deletions, then sets (Go's Header.Del/Set: canonical names).
  for (const name of r?.delete_headers ?? []) {
    const key = findHeaderKey(headers, name);
    if (key !== undefined) delete headers[key];
  }
  for (const [name, value] of Object.entries(r?.set_headers ?? {})) {
    const key = findHeaderKey(headers, name);
    if (key !== undefined) delete headers[key];
    headers[canonicalHeaderKey(name)] = value;
  }
  const params: Record<string, string> = { ...(r?.params ?? {}) };
  for (const name of r?.delete_params ?? []) delete params[name];
  Object.assign(params, r?.add_params ?? {});
  return {
    setHeaders: r?.set_headers ?? {},
    deleteHeaders: r?.delete_headers ?? [],
    addParams: r?.add_params ?? {},
    deleteParams: r?.delete_params ?? [],
    headers,
    params,
    url: r?.url ?? '',
    method: r?.method ?? '',
    body: fields.raw_body,
    bodyChanged: !fields.raw_body.equals(sentBody),
    header: (name) => {
      const key = findHeaderKey(headers, name);
      return key === undefined ? undefined : headers[key];
    },
    text: () => bodyText(fields),
    json: <T>() => bodyJson(fields, 'request') as T,
  };
}

function responseChanges(response: NonNullable<CoprocessObject__Output['response']>): ResponseChanges {
  const fields = { raw_body: response.raw_body, body: '' };
  return {
    status: response.status_code,
    headers: response.headers,
    multivalueHeaders: response.multivalue_headers,
    body: response.raw_body,
    header: (name) => {
      const key = findHeaderKey(response.headers, name);
      if (key !== undefined) return response.headers[key];
      return response.multivalue_headers.find((h) => h.key.toLowerCase() === name.toLowerCase())?.values[0];
    },
    text: () => bodyText(fields),
    json: <T>() => bodyJson(fields, 'response') as T,
  };
}
