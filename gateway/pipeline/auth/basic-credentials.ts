import { findSubmatch, MAX_REGEX_INPUT_BYTES } from '../../../coprocess/index.js';
import type { BasicAuthSettings } from '../../apidef/index.js';
import type { ErrorCode } from '../../errors/index.js';

/** A username and password read from a request, or the catalogue error that refuses it. */
export type BasicCredentials =
  | { readonly ok: true; readonly username: string; readonly password: string }
  | { readonly ok: false; readonly code: ErrorCode; /** For the log, never the client. */ readonly reason?: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A basic-auth credential as Tyk reads it (`basicAuthHeaderCredentials`, tyk-config.md 1.4): two
 * words separated by one space, the second base64 (standard alphabet, padded, line breaks
 * ignored, as Go's StdEncoding), decoding to `user:password`. Statuses and texts are Tyk's.
 *
 * Two deliberate differences (docs/auth.md, "Basic auth"): the first word must be `Basic` (any
 * case), as HTTP Basic auth and Tyk's documentation have it, where Tyk's code accepts any word;
 * and the user ends at the first colon, so a password may contain colons (RFC 7617), where Tyk's
 * code refuses them with 400. Decoded text must be UTF-8: a stored user or password always is.
 */
export function parseBasicCredential(value: string): BasicCredentials {
  if (value === '') return { ok: false, code: 'HG_ERR_AUTH_FIELD_MISSING' };
  const words = value.split(' ');
  if (words.length !== 2 || (words[0] as string).toLowerCase() !== 'basic') return { ok: false, code: 'HG_ERR_BASIC_HEADER_MALFORMED' };
  const encoded = (words[1] as string).replace(/[\r\n]/g, '');
  if (!BASE64.test(encoded)) return { ok: false, code: 'HG_ERR_BASIC_ENCODING_MALFORMED', reason: 'not base64' };
  let decoded: string;
  try {
    decoded = UTF8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    return { ok: false, code: 'HG_ERR_BASIC_ENCODING_MALFORMED', reason: 'not UTF-8' };
  }
  const colon = decoded.indexOf(':');
  if (colon === -1) return { ok: false, code: 'HG_ERR_BASIC_VALUES_MALFORMED' };
  return { ok: true, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * `basic_auth.extract_from_body` (Tyk's `basicAuthBodyCredentials`): the first capture group of
 * the first match of each regexp in the body; a group that took no part is "", as in Go. The
 * regexps run under the ID extractor's bounds (at most MAX_REGEX_INPUT_BYTES of body, a time
 * budget), because JavaScript's engine, unlike Go's, can take exponential time: a body over the
 * limit is 413, a search over budget fails closed like a body without the username.
 */
export function credentialsFromBody(body: Buffer, regexps: NonNullable<BasicAuthSettings['body']>): BasicCredentials {
  if (body.length > MAX_REGEX_INPUT_BYTES) return { ok: false, code: 'HG_ERR_REQUEST_TOO_LARGE', reason: `the body is over ${MAX_REGEX_INPUT_BYTES} bytes` };
  const text = body.toString('utf8');
  const user = findSubmatch(regexps.user, text);
  if (!user.ok) return { ok: false, code: 'HG_ERR_BASIC_BODY_NO_USERNAME', reason: user.reason };
  if (user.groups === undefined) return { ok: false, code: 'HG_ERR_BASIC_BODY_NO_USERNAME' };
  const password = findSubmatch(regexps.password, text);
  if (!password.ok) return { ok: false, code: 'HG_ERR_BASIC_BODY_NO_PASSWORD', reason: password.reason };
  if (password.groups === undefined) return { ok: false, code: 'HG_ERR_BASIC_BODY_NO_PASSWORD' };
  return { ok: true, username: user.groups[1] ?? '', password: password.groups[1] ?? '' };
}
