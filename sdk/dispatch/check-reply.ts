/**
 * Checks a reply before it is encoded. protobufjs coerces what it is given (a string rate becomes
 * NaN, a string `raw_body` is read as base64, a number in a string map becomes "5"), so a hook
 * written in plain JavaScript, or one that edits `request.object` by hand, could otherwise send
 * the gateway something it did not mean. Anything wrong fails the call with
 * HG_ERR_SDK_REPLY_INVALID naming the field, and the gateway fails closed.
 */
import type { CoprocessObject__Output as Object__Output } from '../../coprocess/protocol/index.js';
// The leaf module, not gateway/validation/index.js: that face also loads zod, ~120 ms of CPU in
// every plugin process and hook worker thread for a few small functions.
import { describeValue } from '../../gateway/validation/paths.js';
import type { HookKind } from '../hook-types.js';
import { SESSION_FIELD_KINDS } from '../session.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const MAX_PROBLEMS = 5;

type Check = (value: unknown) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);

/** Object.values(v).every(test), without the array. */
function everyValue(v: Record<string, unknown>, test: (x: unknown) => boolean): boolean {
  for (const key in v) if (Object.hasOwn(v, key) && !test(v[key])) return false;
  return true;
}

const checks = {
  string: (v) => (typeof v === 'string' ? undefined : 'a string'),
  bool: (v) => (typeof v === 'boolean' ? undefined : 'true or false'),
  double: (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'a finite number'),
  int64: (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? undefined : 'a whole number'),
  int32: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? undefined : 'a 32-bit whole number'),
  bytes: (v) => (v instanceof Uint8Array ? undefined : 'bytes (a Buffer or Uint8Array)'),
  'string-list': (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'an array of strings'),
  'string-map': (v) => (isObject(v) && everyValue(v, (x) => typeof x === 'string') ? undefined : 'an object of string values'),
  message: (v) => (v === null || isObject(v) ? undefined : 'an object or null'),
  'message-map': (v) => (isObject(v) && everyValue(v, isObject) ? undefined : 'an object of objects'),
} satisfies Record<string, Check>;

type Kind = keyof typeof checks;

const REQUEST_FIELDS: Record<string, Kind> = {
  headers: 'string-map', set_headers: 'string-map', delete_headers: 'string-list', body: 'string', url: 'string',
  params: 'string-map', add_params: 'string-map', extended_params: 'string-map', delete_params: 'string-list',
  method: 'string', request_uri: 'string', scheme: 'string', raw_body: 'bytes',
};
const OVERRIDE_FIELDS: Record<string, Kind> = {
  response_code: 'int32', response_error: 'string', headers: 'string-map', override_error: 'bool', response_body: 'string',
};
const RESPONSE_FIELDS: Record<string, Kind> = { status_code: 'int32', raw_body: 'bytes', body: 'string', headers: 'string-map' };

/** [field, check] pairs, made once: a reply is checked on every call. */
type FieldChecks = readonly (readonly [string, Check])[];
const checksOf = (kinds: Record<string, Kind>): FieldChecks => Object.entries(kinds).map(([field, kind]) => [field, checks[kind]] as const);
const REQUEST_CHECKS = checksOf(REQUEST_FIELDS);
const OVERRIDE_CHECKS = checksOf(OVERRIDE_FIELDS);
const RESPONSE_CHECKS = checksOf(RESPONSE_FIELDS);
const SESSION_CHECKS = checksOf(SESSION_FIELD_KINDS);

class Problems {
  readonly list: string[] = [];
  add(path: string, expected: string, value: unknown): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(`${path} must be ${expected}, got ${describeValue(value)}`);
  }
  fields(prefix: string, object: Record<string, unknown>, kinds: FieldChecks): void {
    for (const [field, check] of kinds) {
      const value = object[field];
      const wrong = check(value);
      if (wrong !== undefined) this.add(`${prefix}.${field}`, wrong, value);
    }
  }
}

/** The problems of a reply (at most a few, each naming its field), or an empty list. */
export function replyProblems(object: Object__Output, kind: HookKind): string[] {
  const problems = new Problems();
  const request: unknown = object.request;
  if (!isObject(request)) problems.add('request', 'an object', request);
  else {
    problems.fields('request', request, REQUEST_CHECKS);
    const overrides = request['return_overrides'];
    if (!isObject(overrides)) problems.add('request.return_overrides', 'an object', overrides);
    else problems.fields('request.return_overrides', overrides, OVERRIDE_CHECKS);
  }
  const session: unknown = object.session;
  if (session !== null) {
    if (!isObject(session)) problems.add('session', 'an object or null', session);
    else problems.fields('session', session, SESSION_CHECKS);
  }
  const metadata = checks['string-map'](object.metadata);
  if (metadata !== undefined) problems.add('metadata', metadata, object.metadata);
  if (kind === 'response') {
    const response: unknown = object.response;
    if (!isObject(response)) problems.add('response', 'an object', response);
    else {
      problems.fields('response', response, RESPONSE_CHECKS);
      const status = response['status_code'];
      if (typeof status === 'number' && (status < 100 || status > 599)) problems.add('response.status_code', 'a status from 100 to 599 (echo the upstream status)', status);
      const multi = response['multivalue_headers'];
      const multiOk = Array.isArray(multi) && multi.every((h) => isObject(h) && typeof h['key'] === 'string' && checks['string-list'](h['values']) === undefined);
      if (!multiOk) problems.add('response.multivalue_headers', 'an array of { key: string, values: string[] }', multi);
    }
  }
  return problems.list;
}
