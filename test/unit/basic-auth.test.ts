import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REGEX_INPUT_BYTES } from '../../coprocess/id-extractor/index.js';
import { apiDefinitionSchema, compileBasicAuth, loadApiDocuments, type ApiDefinition, type BasicAuthSettings } from '../../gateway/apidef/index.js';
import { ERRORS } from '../../gateway/errors/index.js';
import { basicChallenge } from '../../gateway/pipeline/auth/basic.js';
import { credentialsFromBody, parseBasicCredential } from '../../gateway/pipeline/auth/basic-credentials.js';
import { keylessApi } from '../helpers/apis.js';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** What a client gets for a credential: status and Tyk's text, or the user and password. */
function outcome(value: string): string {
  const parsed = parseBasicCredential(value);
  if (parsed.ok) return `ok ${JSON.stringify(parsed.username)} ${JSON.stringify(parsed.password)}`;
  const { status, message } = ERRORS[parsed.code];
  return `${status} ${message}`;
}

const MISSING = '401 Authorization field missing';
const HEADER = '400 Attempted access with malformed header, header not in basic auth format';
const ENCODING = '400 Attempted access with malformed header, auth data not encoded correctly';
const VALUES = '400 Attempted access with malformed header, values not in basic auth format';

describe('basic auth: reading the credential', () => {
  const table: [string, string, string][] = [
    ['no credential', '', MISSING],
    ['one word', 'Basic', HEADER],
    ['three words', `Basic ${b64('u:p')} x`, HEADER],
    ['two spaces (Tyk splits on each space)', `Basic  ${b64('u:p')}`, HEADER],
    ['a trailing space', `Basic ${b64('u:p')} `, HEADER],
    ['another scheme (Hookgate checks the word; Tyk does not)', `Bearer ${b64('user:pass')}`, HEADER],
    ['not base64', 'Basic not-base64!', ENCODING],
    ['the URL-safe alphabet', `Basic ${b64('\u00fb\u00ff:?>').replace(/\+/g, '-').replace(/\//g, '_')}`, ENCODING],
    ['missing padding', `Basic ${b64('user:pw').replace(/=+$/, '')}`, ENCODING],
    ['padding in the middle', 'Basic dQ==dQ==', ENCODING],
    ['bytes that are not UTF-8', `Basic ${b64(Buffer.from([0x75, 0x3a, 0xff]))}`, ENCODING],
    ['no colon', `Basic ${b64('userpass')}`, VALUES],
    ['an empty second word', 'Basic ', VALUES],
    ['user and password', `Basic ${b64('user:pass')}`, 'ok "user" "pass"'],
    ['the scheme in any case', `bAsIc ${b64('user:pass')}`, 'ok "user" "pass"'],
    ['a password with colons (RFC 7617; Tyk refuses it)', `Basic ${b64('user:pa:ss:')}`, 'ok "user" "pa:ss:"'],
    ['an empty user and password', `Basic ${b64(':')}`, 'ok "" ""'],
    ['UTF-8 text', `Basic ${b64('jürgen:pässwörd')}`, 'ok "jürgen" "pässwörd"'],
    ['line breaks inside the base64 (Go skips them)', `Basic ${b64('user:pass').slice(0, 4)}\r\n${b64('user:pass').slice(4)}`, 'ok "user" "pass"'],
  ];
  for (const [what, value, expected] of table) {
    it(`${what} → ${expected}`, () => assert.equal(outcome(value), expected));
  }

  it('builds the challenge from the API name, escaping quotes and sending UTF-8 bytes', () => {
    assert.deepEqual(basicChallenge('Orders'), { 'WWW-Authenticate': 'Basic realm="Orders"' });
    assert.deepEqual(basicChallenge('a "b" \\ c\nd'), { 'WWW-Authenticate': 'Basic realm="a \\"b\\" \\\\ c d"' });
    const header = basicChallenge('Café')['WWW-Authenticate'] ?? '';
    assert.equal(Buffer.from(header, 'latin1').toString('utf8'), 'Basic realm="Café"');
  });
});

function definition(basicAuth: Record<string, unknown>, extra: Record<string, unknown> = {}): ApiDefinition {
  return apiDefinitionSchema.parse({ ...keylessApi('b', '/b/', 'http://up'), use_keyless: false, use_basic_auth: true, basic_auth: basicAuth, ...extra });
}

function settingsOf(basicAuth: Record<string, unknown>): BasicAuthSettings {
  const compiled = compileBasicAuth(definition(basicAuth), undefined);
  if (!compiled.ok) assert.fail(compiled.errors.map((e) => e.message).join('\n'));
  return compiled.settings;
}

function refusals(basicAuth: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
  const result = loadApiDocuments([{ file: 'b.json', document: { ...keylessApi('b', '/b/', 'http://up'), use_keyless: false, use_basic_auth: true, basic_auth: basicAuth, ...extra } }]);
  return result.refused.flatMap((r) => r.errors.map((e) => e.message));
}

describe('basic auth: settings checked at load', () => {
  it('loads a basic-auth API (no longer refused) and caches bcrypt checks for 60 s by default', () => {
    assert.deepEqual(refusals({}), []);
    assert.deepEqual(settingsOf({}), { cacheTtlMs: 60_000, body: undefined });
    assert.equal(settingsOf({ cache_ttl: 5 }).cacheTtlMs, 5000);
    assert.equal(settingsOf({ cache_ttl: -3 }).cacheTtlMs, 60_000);
    assert.equal(settingsOf({ disable_caching: true, cache_ttl: 5 }).cacheTtlMs, undefined);
  });

  it('refuses body extraction with an empty, invalid or group-less regexp, naming the field', () => {
    const empty = refusals({ extract_from_body: true, body_user_regexp: '<u>(.*)</u>' });
    assert.equal(empty.length, 1);
    assert.match(empty[0] ?? '', /^`basic_auth\.body_password_regexp` is empty, but `basic_auth\.extract_from_body` is on/);
    const invalid = refusals({ extract_from_body: true, body_user_regexp: '(?=x)(.*)', body_password_regexp: '<p>(.*' });
    assert.equal(invalid.length, 2);
    assert.match(invalid[0] ?? '', /^`basic_auth\.body_user_regexp` is not a usable Go regexp: .*lookahead/);
    assert.match(invalid[1] ?? '', /^`basic_auth\.body_password_regexp` is not a usable Go regexp: missing closing \)/);
    const groupless = refusals({ extract_from_body: true, body_user_regexp: 'user=\\w+', body_password_regexp: '(?:pw)=(?i:x)' });
    assert.match(groupless[0] ?? '', /username should be inside regexp match group/);
    assert.match(groupless[1] ?? '', /password should be inside regexp match group|usable Go regexp/);
    assert.deepEqual(refusals({ extract_from_body: false, body_user_regexp: '(' }), [], 'the regexps are not read with extraction off');
  });

  it('refuses an API whose basic credential could never be read', () => {
    const off = { auth_configs: { basic: { disable_header: true } } };
    assert.match(refusals({}, off)[0] ?? '', /^`auth_configs\.basic`: all auth sources are disabled for basic/);
    assert.deepEqual(refusals({ extract_from_body: true, body_user_regexp: 'u=(\\w+)', body_password_regexp: 'p=(\\w+)' }, off), [], 'body-only is a way to read it');
  });

  it('no longer lists basic_auth among the fields Hookgate ignores', () => {
    const result = loadApiDocuments([{ file: 'b.json', document: { ...keylessApi('b', '/b/', 'http://up'), use_keyless: false, use_basic_auth: true, basic_auth: { cache_ttl: 30 } } }]);
    assert.deepEqual(result.warnings.map((w) => w.problem.message), []);
  });
});

describe('basic auth: credentials from the body', () => {
  const body = settingsOf({ extract_from_body: true, body_user_regexp: '<User>(.*)</User>', body_password_regexp: '<Password>(.*)</Password>' }).body;
  assert.ok(body);
  const from = (text: string | Buffer) => {
    const found = credentialsFromBody(Buffer.from(text), body);
    return found.ok ? `ok ${found.username} ${found.password}` : `${ERRORS[found.code].status} ${ERRORS[found.code].message}`;
  };

  it('takes the first group of the first match of each regexp (Tyk\'s TestBasicAuthFromBody cases)', () => {
    assert.equal(from('<User>user</User><Password>password</Password>'), 'ok user password');
    assert.equal(from('<Password>p:w</Password> <User>a</User>'), 'ok a p:w');
    // `.*` is greedy in Go too: the user runs to the last </User>.
    assert.equal(from('<User>a</User> <User>b</User><Password>p</Password>'), 'ok a</User> <User>b p');
    assert.equal(from(''), '400 Body do not contain username');
    assert.equal(from('<User>User>'), '400 Body do not contain username');
    assert.equal(from('<User>user</User>'), '400 Body do not contain password');
  });

  it('gives "" for a group that took no part, as Go does', () => {
    const optional = settingsOf({ extract_from_body: true, body_user_regexp: 'u=(\\w+)?;', body_password_regexp: 'p=(\\w*)' }).body;
    assert.ok(optional);
    assert.deepEqual(credentialsFromBody(Buffer.from('u=; p=x'), optional), { ok: true, username: '', password: 'x' });
  });

  it('refuses a body over the regex input limit with 413, and a runaway regexp fails closed', () => {
    assert.equal(from(`<User>a</User><Password>b</Password>${'x'.repeat(MAX_REGEX_INPUT_BYTES)}`), '413 Request is too large');
    const runaway = settingsOf({ extract_from_body: true, body_user_regexp: '^(?:a+)+(x)$', body_password_regexp: '(x)' }).body;
    assert.ok(runaway);
    const found = credentialsFromBody(Buffer.from(`${'a'.repeat(40)}b`), runaway);
    assert.equal(found.ok, false);
    assert.equal(found.ok ? '' : found.code, 'HG_ERR_BASIC_BODY_NO_USERNAME');
    // Over its time budget; on a loaded host the bounded search may call it a stall: closed either way.
    assert.match(found.ok ? '' : (found.reason ?? ''), /budget|stalled/);
  });
});
