import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { describe, it, mock } from 'node:test';
import { compileHmacSettings, hmacAlgorithmOf, loadApiDocuments, type HmacSettings } from '../../gateway/apidef/index.js';
import { dateWithinSkew, parseSignatureDate } from '../../gateway/pipeline/auth/hmac-date.js';
import { expectedSignature, parseSignatureHeader, signatureMatches, signingString, type SignedRequest } from '../../gateway/pipeline/auth/hmac-signature.js';
import { newHmacSecret } from '../../gateway/session/index.js';
import { keylessApi } from '../helpers/apis.js';

const hmacApi = (extra: Record<string, unknown> = {}) => ({ ...keylessApi('h', '/h/', 'http://up'), use_keyless: false, enable_signature_checking: true, ...extra });

function requestOf(method: string, path: string, headers: Record<string, string>): SignedRequest {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, path, header: (name) => lower.get(name.toLowerCase()) };
}

describe('HMAC: the Signature header', () => {
  const cases: { name: string; input: string; want: Record<string, unknown> | string }[] = [
    {
      name: 'Tyk\'s form, with the scheme word',
      input: 'Signature keyId="k1",algorithm="hmac-sha256",headers="(request-target) Date X-Test",signature="abc%3D"',
      want: { keyId: 'k1', algorithm: 'hmac-sha256', headers: ['(request-target)', 'date', 'x-test'], signature: 'abc%3D' },
    },
    { name: 'lowercase scheme word, spaces around commas', input: 'signature keyId="k1" , algorithm="hmac-sha1",  signature="s"', want: { keyId: 'k1', algorithm: 'hmac-sha1', headers: ['date'], signature: 's' } },
    { name: 'no scheme word (from a query parameter)', input: 'keyId="k1",algorithm="hmac-sha1",signature="s"', want: { keyId: 'k1', algorithm: 'hmac-sha1', headers: ['date'], signature: 's' } },
    { name: 'parameter names in any case', input: 'Signature KEYID="k1",Algorithm="hmac-sha1",HEADERS="date",Signature="s"', want: { keyId: 'k1', algorithm: 'hmac-sha1', headers: ['date'], signature: 's' } },
    { name: 'unquoted values run to the next comma', input: 'Signature keyId=k1,algorithm=hmac-sha512,signature=a%2Fb', want: { keyId: 'k1', algorithm: 'hmac-sha512', headers: ['date'], signature: 'a%2Fb' } },
    { name: 'a comma and an escaped quote inside quotes', input: 'Signature keyId="a,\\"b",algorithm="hmac-sha1",signature="s"', want: { keyId: 'a,"b', algorithm: 'hmac-sha1', headers: ['date'], signature: 's' } },
    { name: 'empty headers mean date', input: 'Signature keyId="k",algorithm="hmac-sha1",headers="",signature="s"', want: { keyId: 'k', algorithm: 'hmac-sha1', headers: ['date'], signature: 's' } },
    { name: 'a parameter Tyk does not allow', input: 'Signature keyId="k",algorithm="hmac-sha1",signature="s",nonce="n"', want: 'parameter "nonce" is not one of keyId, algorithm, headers, signature' },
    { name: 'a parameter given twice', input: 'Signature keyId="k",keyId="j",algorithm="hmac-sha1",signature="s"', want: 'parameter keyId is given twice' },
    { name: 'no keyId', input: 'Signature algorithm="hmac-sha1",signature="s"', want: 'no keyId' },
    { name: 'no algorithm', input: 'Signature keyId="k",signature="s"', want: 'no algorithm' },
    { name: 'no signature', input: 'Signature keyId="k",algorithm="hmac-sha1"', want: 'no signature' },
    { name: 'an unterminated quote', input: 'Signature keyId="k,algorithm="hmac-sha1",signature="s', want: 'text after the quoted value of keyId' },
    { name: 'a last quote never closed', input: 'Signature keyId="k",algorithm="hmac-sha1",signature="s', want: 'parameter signature has no closing quote' },
    { name: 'a bare word', input: 'Signature keyId', want: 'a parameter without "="' },
    { name: 'a bad escape inside quotes', input: 'Signature keyId="\\q",algorithm="hmac-sha1",signature="s"', want: 'parameter keyId is not a valid quoted string' },
    { name: 'a bearer token', input: 'Bearer abcdef', want: 'a parameter without "="' },
  ];
  for (const { name, input, want } of cases) {
    it(name, () => {
      const parsed = parseSignatureHeader(input);
      if (typeof want === 'string') assert.deepEqual(parsed, { ok: false, reason: want });
      else assert.deepEqual(parsed, { ok: true, params: want });
    });
  }
});

describe('HMAC: the signing string', () => {
  const req = requestOf('GET', '/api/v1/items', { Date: 'Tue, 07 Jun 2022 20:51:35 GMT', 'X-Test': '  padded value  ', Host: 'example.com' });

  it('joins (request-target) with the lowercase method and the full path, and trimmed header lines', () => {
    const signed = signingString(req, ['(request-target)', 'date', 'x-test', 'host']);
    assert.deepEqual(signed, { ok: true, text: '(request-target): get /api/v1/items\ndate: Tue, 07 Jun 2022 20:51:35 GMT\nx-test: padded value\nhost: example.com' });
  });

  it('signs x-aux-date, under that name, in place of date when the request has one', () => {
    const aux = requestOf('POST', '/a', { Date: 'Tue, 07 Jun 2022 20:51:35 GMT', 'X-Aux-Date': 'Wed, 08 Jun 2022 01:00:00 GMT' });
    assert.deepEqual(signingString(aux, ['date']), { ok: true, text: 'x-aux-date: Wed, 08 Jun 2022 01:00:00 GMT' });
    const emptyAux = requestOf('POST', '/a', { Date: 'Tue, 07 Jun 2022 20:51:35 GMT', 'X-Aux-Date': '' });
    assert.deepEqual(signingString(emptyAux, ['date']), { ok: true, text: 'date: Tue, 07 Jun 2022 20:51:35 GMT' });
  });

  it('decodes the path as Go\'s r.URL.Path (bytes, no "+" rule) and leaves the query out', () => {
    const encoded = requestOf('DELETE', '/a%20b/c+d/%C3%A9', {});
    const signed = signingString(encoded, ['(request-target)']);
    assert.ok(signed.ok);
    assert.equal(Buffer.from(signed.text, 'latin1').toString('utf8'), '(request-target): delete /a b/c+d/é');
    assert.deepEqual(signingString(requestOf('GET', '/a%zz', {}), ['(request-target)']), { ok: false, reason: 'the path has an invalid percent escape' });
  });

  it('fails when a signed header is missing (Tyk would sign it as empty)', () => {
    assert.deepEqual(signingString(req, ['date', 'x-missing']), { ok: false, reason: 'the signed header "x-missing" is missing from the request' });
    assert.deepEqual(signingString(requestOf('GET', '/', {}), ['date']), { ok: false, reason: 'the signed header "date" is missing from the request' });
  });
});

describe('HMAC: signatures', () => {
  const signing = '(request-target): get /api/v1/items\ndate: Tue, 07 Jun 2022 20:51:35 GMT';
  const secret = 'c2VjcmV0LWZvci10ZXN0cw==';
  // Computed here with node:crypto and encodeURIComponent, not with the code under test.
  const vector = (digest: string) => encodeURIComponent(crypto.createHmac(digest, secret).update(signing).digest('base64'));

  for (const [algorithm, digest] of [['hmac-sha1', 'sha1'], ['hmac-sha256', 'sha256'], ['hmac-sha384', 'sha384'], ['hmac-sha512', 'sha512']] as const) {
    it(`${algorithm} is url.QueryEscape(base64(HMAC-${digest.toUpperCase()}))`, () => {
      const got = expectedSignature(algorithm, secret, signing);
      assert.equal(got, vector(digest));
      assert.doesNotMatch(got, /[+/=]/, 'base64 specials are escaped');
    });
  }

  it('a known literal vector (HMAC-SHA256 of "date: ..." with secret "secret")', () => {
    const literal = crypto.createHmac('sha256', 'secret').update('date: Mon, 02 Jan 2006 15:04:05 GMT').digest('base64');
    assert.equal(expectedSignature('hmac-sha256', 'secret', 'date: Mon, 02 Jan 2006 15:04:05 GMT'), encodeURIComponent(literal));
  });

  it('matches exactly, or after uppercasing lowercase %xx escapes (Tyk\'s retry for .NET clients)', () => {
    const expected = expectedSignature('hmac-sha1', secret, signing);
    assert.ok(expected.includes('%'), 'the vector needs an escape for this test');
    assert.equal(signatureMatches(expected, expected), true);
    const lowered = expected.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
    assert.notEqual(lowered, expected);
    assert.equal(signatureMatches(expected, lowered), true);
    assert.equal(signatureMatches(expected, `${lowered}x`), false);
    assert.equal(signatureMatches(expected, expected.slice(1)), false);
    assert.equal(signatureMatches(expected, decodeURIComponent(expected)), false, 'an unescaped signature is not Tyk\'s format');
  });

  it('compares with crypto.timingSafeEqual, never with ===', () => {
    const spy = mock.method(crypto, 'timingSafeEqual');
    syncBuiltinESMExports();
    try {
      const expected = expectedSignature('hmac-sha256', secret, signing);
      signatureMatches(expected, 'wrong');
      signatureMatches(expected, expected);
      assert.ok(spy.mock.callCount() >= 2, `timingSafeEqual called ${spy.mock.callCount()} times`);
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
  });

  it('newHmacSecret is base64 of 32 hex digits, as Tyk\'s GenerateHMACSecret', () => {
    const secretText = newHmacSecret();
    assert.match(Buffer.from(secretText, 'base64').toString('utf8'), /^[0-9a-f]{32}$/);
    assert.notEqual(newHmacSecret(), secretText);
  });
});

describe('HMAC: the Date check', () => {
  const at = Date.UTC(2006, 0, 2, 15, 4, 5);
  it('parses Go\'s two layouts and what clients send', () => {
    assert.equal(parseSignatureDate('Mon, 02 Jan 2006 15:04:05 GMT'), at);
    assert.equal(parseSignatureDate('Mon, 02 Jan 2006 15:04:05 UTC'), at);
    assert.equal(parseSignatureDate(new Date(at).toUTCString()), at, 'Date.toUTCString()');
    assert.equal(parseSignatureDate('Mon, 02 Jan 2006 08:04:05 -07'), at, 'Go\'s numeric layout');
    assert.equal(parseSignatureDate('Mon, 02 Jan 2006 15:04:05 -0000'), at, 'Python formatdate()');
    assert.equal(parseSignatureDate('Mon, 02 Jan 2006 20:34:05 +05:30'), at);
    assert.equal(parseSignatureDate('Mon, 02 Jan 2006 07:04:05 PST'), at, 'RFC 822 zone names keep their offsets');
    assert.equal(parseSignatureDate('mon, 02 JAN 2006 15:04:05 GMT'), at, 'day and month names in any case, as Go');
    assert.equal(parseSignatureDate('Mon, 02 Jan 2006 5:04:05 GMT'), at - 10 * 3600_000, 'a one-digit hour, as Go');
    assert.equal(parseSignatureDate('Mon, 02 Jan 2006 15:04:05.250 GMT'), at, 'fractional seconds, as Go');
  });

  it('refuses what does not parse', () => {
    for (const bad of ['', 'yesterday', '2006-01-02T15:04:05Z', 'Mon, 2 Jan 2006 15:04:05 GMT', 'Mon, 02 Jan 06 15:04:05 GMT', 'Mon, 02 Jan 2006 15:04:05', 'Mon, 02 Jan 2006 15:04:05 CET', 'Mon, 31 Apr 2006 15:04:05 GMT', 'Mon, 02 Jan 2006 24:00:00 GMT', 'Mon, 02 Foo 2006 15:04:05 GMT']) {
      assert.equal(parseSignatureDate(bad), undefined, bad);
    }
  });

  it('compares |now - date| with the skew; a skew of 0 or less compares nothing, but the date must still parse', () => {
    const date = 'Mon, 02 Jan 2006 15:04:05 GMT';
    assert.equal(dateWithinSkew(date, 1000, at + 1000), 'ok');
    assert.equal(dateWithinSkew(date, 1000, at + 1001), 'skewed', 'too old');
    assert.equal(dateWithinSkew(date, 1000, at - 1001), 'skewed', 'in the future');
    assert.equal(dateWithinSkew(date, 1000.5, at + 1000), 'ok', 'a float skew');
    assert.equal(dateWithinSkew(date, 0, at + 365 * 86400_000), 'ok');
    assert.equal(dateWithinSkew(date, -1, at - 86400_000), 'ok');
    assert.equal(dateWithinSkew('not a date', 0, at), 'unparseable', 'quirk 4, kept');
  });
});

describe('HMAC: API settings at load', () => {
  const load = (extra: Record<string, unknown>) => loadApiDocuments([{ file: 'h.json', document: hmacApi(extra) }]);
  const errorsOf = (extra: Record<string, unknown>) => load(extra).refused.flatMap((r) => r.errors.map((e) => e.message));

  it('loads an HMAC API, quietly, with its settings', () => {
    const result = load({ hmac_allowed_algorithms: ['hmac-sha256', 'hmac-sha512'], hmac_allowed_clock_skew: 1500.5 });
    assert.deepEqual(result.refused, []);
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(result.apis[0]?.auth.requirements[0]?.map((s) => s.method), ['hmac']);
    assert.deepEqual(load({ hmac_allowed_algorithms: null, hmac_allowed_clock_skew: -1 }).refused, []);
  });

  it('refuses unknown algorithm names (Tyk would compute them as SHA-1) and RSA, naming the entry', () => {
    assert.deepEqual(errorsOf({ hmac_allowed_algorithms: ['hmac-sha256', 'HMAC-SHA1', 'rsa-sha256'] }), [
      '`hmac_allowed_algorithms[1]`: unknown algorithm "HMAC-SHA1" (Tyk would compute it as HMAC-SHA1); expected one of hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512',
      '`hmac_allowed_algorithms[2]`: "rsa-sha256" is an RSA signature, which needs the certificate store; Hookgate does not support RSA signatures yet, so the API is refused rather than served without them',
    ]);
    assert.match(errorsOf({ hmac_allowed_clock_skew: '5s' })[0] ?? '', /`hmac_allowed_clock_skew` to be a number of milliseconds/);
  });

  it('refuses an HMAC config that reads the credential from nowhere', () => {
    assert.deepEqual(errorsOf({ auth_configs: { hmac: { disable_header: true } } }), [
      '`auth_configs.hmac`: all auth sources are disabled for hmac, at least one of header/cookie/query must be enabled',
    ]);
  });

  it('does not check the settings of an API that does not use HMAC', () => {
    assert.deepEqual(loadApiDocuments([{ file: 'k.json', document: keylessApi('k', '/k/', 'http://up', {}, { hmac_allowed_algorithms: ['whatever'] }) }]).refused, []);
  });

  it('tells a request\'s algorithm from the allowed list', () => {
    const compiled = compileHmacSettings(load({ hmac_allowed_algorithms: ['hmac-sha256'] }).apis[0]!.definition);
    assert.ok(compiled.ok);
    const only256: HmacSettings = compiled.settings;
    assert.equal(hmacAlgorithmOf(only256, 'hmac-sha256'), 'hmac-sha256');
    assert.equal(hmacAlgorithmOf(only256, 'hmac-sha1'), 'not_allowed');
    assert.equal(hmacAlgorithmOf(only256, 'rsa-sha256'), 'not_allowed');
    const any: HmacSettings = { allowedAlgorithms: new Set(), clockSkewMs: 0 };
    assert.equal(hmacAlgorithmOf(any, 'hmac-sha1'), 'hmac-sha1');
    assert.equal(hmacAlgorithmOf(any, 'rsa-sha256'), 'rsa');
    assert.equal(hmacAlgorithmOf(any, 'hmac-md5'), 'unknown', 'not silently SHA-1 (quirk 3)');
    assert.equal(hmacAlgorithmOf(any, ''), 'unknown');
  });
});
