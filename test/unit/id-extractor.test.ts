import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileIdExtractor,
  compileOasIdExtractor,
  extract,
  sessionIdFor,
  type CompiledIdExtractor,
  type ExtractionInput,
  type ExtractionResult,
  type IdExtractorCompilation,
} from '../../coprocess/id-extractor/index.js';

interface RequestParts {
  method?: string;
  headers?: Record<string, string>;
  query?: string;
  contentType?: string;
  body?: string | Buffer;
}

function request(parts: RequestParts = {}): ExtractionInput {
  const headers = new Map(Object.entries(parts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: parts.method ?? 'GET',
    header: (name) => headers.get(name.toLowerCase()),
    rawQuery: parts.query ?? '',
    contentType: parts.contentType ?? '',
    body: Buffer.isBuffer(parts.body) ? parts.body : Buffer.from(parts.body ?? '', 'utf8'),
  };
}

function compiled(result: IdExtractorCompilation): CompiledIdExtractor {
  if (result.status !== 'compiled') assert.fail(`expected a compiled extractor, got ${JSON.stringify(result)}`);
  return result.extractor;
}

function classic(from: string, withType: string, config: Record<string, unknown> = {}): CompiledIdExtractor {
  return compiled(compileIdExtractor({ disabled: false, extract_from: from, extract_with: withType, extractor_config: config }));
}

function errorsOf(result: IdExtractorCompilation): string[] {
  if (result.status !== 'invalid') assert.fail(`expected problems, got ${result.status}`);
  return result.errors.map((e) => e.message);
}

const ok = (value: string): ExtractionResult => ({ ok: true, value });

function failsWith(result: ExtractionResult, pattern: RegExp): void {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  if (!result.ok) assert.match(result.reason, pattern);
}

const SOAP = '<Envelope><Header><auth kind="key"><token>s3cret</token></auth></Header><Body/></Envelope>';
const FORM = 'application/x-www-form-urlencoded';

describe('ID extractor: every source with every method', () => {
  it('value from a header: the header value, the name matched case-insensitively', () => {
    const ex = classic('header', 'value', { header_name: 'X-Api-Key' });
    assert.deepEqual(extract(ex, request({ headers: { 'x-api-key': 'k1' } })), ok('k1'));
    failsWith(extract(ex, request()), /header X-Api-Key is missing or empty/);
    failsWith(extract(ex, request({ headers: { 'x-api-key': '' } })), /missing or empty/);
  });

  it('value from the form: query and urlencoded body, all values joined without a separator', () => {
    const ex = classic('form', 'value', { param_name: 'key' });
    assert.deepEqual(extract(ex, request({ query: 'key=abc' })), ok('abc'));
    assert.deepEqual(extract(ex, request({ query: 'key=a&key=b&other=x' })), ok('ab'));
    assert.deepEqual(extract(ex, request({ method: 'POST', contentType: FORM, body: 'key=body' })), ok('body'));
    failsWith(extract(ex, request({ query: 'other=1' })), /form field key is in neither/);
  });

  it('regex on a header, on the form and on the body', () => {
    const config = { header_name: 'Authorization', param_name: 'auth', regex_expression: 'prefix-(.*)', regex_match_index: 0 };
    assert.deepEqual(extract(classic('header', 'regex', config), request({ headers: { authorization: 'prefix-testkey123' } })), ok('prefix-testkey123'));
    assert.deepEqual(extract(classic('form', 'regex', config), request({ query: 'auth=xx+prefix-k2' })), ok('prefix-k2'));
    assert.deepEqual(extract(classic('body', 'regex', config), request({ method: 'POST', body: '{"t":"prefix-k3"}' })), ok('prefix-k3"}'));
  });

  it('xpath on a header, on the form and on the body', () => {
    const config = { header_name: 'X-Doc', param_name: 'doc', xpath_expression: '//auth/token' };
    assert.deepEqual(extract(classic('header', 'xpath', config), request({ headers: { 'x-doc': SOAP } })), ok('s3cret'));
    assert.deepEqual(extract(classic('form', 'xpath', config), request({ query: `doc=${encodeURIComponent(SOAP)}` })), ok('s3cret'));
    assert.deepEqual(extract(classic('body', 'xpath', config), request({ method: 'POST', body: SOAP })), ok('s3cret'));
  });

  it('every failure of a method is a reason, never a throw', () => {
    const regex = classic('header', 'regex', { header_name: 'A', regex_expression: 'k\\d', regex_match_index: 1 });
    failsWith(extract(regex, request({ headers: { a: 'k1 x' } })), /no match number 1/);
    failsWith(extract(regex, request()), /header A is missing/);
    const xpath = classic('body', 'xpath', { xpath_expression: '/a/missing' });
    failsWith(extract(xpath, request({ body: '<a><b/></a>' })), /matches nothing/);
    failsWith(extract(xpath, request({ body: '<a><b></a>' })), /not XML.*closed by/);
    failsWith(extract(xpath, request({ body: '' })), /matches nothing/);
    failsWith(extract(xpath, request({ body: Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]) })), /not valid UTF-8/);
    failsWith(extract(xpath, request({ body: '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>' })), /DOCTYPE/);
  });

  it('an empty extracted value is a failure for every source and method (Tyk: one shared ID)', () => {
    failsWith(extract(classic('form', 'value', { param_name: 'key' }), request({ query: 'key=' })), /extracted value is empty/);
    failsWith(extract(classic('form', 'value', { param_name: 'key' }), request({ query: 'key=&key=' })), /empty/);
    failsWith(extract(classic('header', 'regex', { header_name: 'A', regex_expression: 'x*' }), request({ headers: { a: 'abc' } })), /empty/);
    failsWith(extract(classic('body', 'xpath', { xpath_expression: '//token' }), request({ body: '<a><token/></a>' })), /empty/);
  });

  it('the body Buffer passed in is left exactly as it was', () => {
    const cases: [CompiledIdExtractor, string][] = [
      [classic('body', 'regex', { regex_expression: 'k=\\w+' }), 'k=abc&x=1'],
      [classic('body', 'xpath', { xpath_expression: '//token' }), SOAP],
      [classic('form', 'value', { param_name: 'k' }), 'k=abc&x=1'],
      [classic('form', 'regex', { param_name: 'k', regex_expression: '\\w+' }), 'k=a%20b'],
    ];
    for (const [ex, text] of cases) {
      const body = Buffer.from(text, 'utf8');
      const copy = Buffer.from(body);
      const input = request({ method: 'POST', contentType: FORM, body });
      const first = extract(ex, input);
      assert.ok(first.ok, JSON.stringify(first));
      assert.ok(input.body === body && body.equals(copy), 'the body changed');
      assert.deepEqual(extract(ex, input), first, 'a second extraction sees the same body');
    }
  });
});

describe('ID extractor: the form, as Go parses it', () => {
  const ex = classic('form', 'value', { param_name: 'k' });

  it('puts body values before query values for POST, PUT and PATCH (net/http ParseForm)', () => {
    for (const method of ['POST', 'PUT', 'PATCH']) {
      const input = request({ method, query: 'k=q1&k=q2', contentType: FORM, body: 'k=b1&k=b2' });
      assert.deepEqual(extract(ex, input), ok('b1b2q1q2'), method);
    }
  });

  it('reads the body only for those methods and a urlencoded media type', () => {
    assert.deepEqual(extract(ex, request({ method: 'GET', query: 'k=q', contentType: FORM, body: 'k=b' })), ok('q'));
    assert.deepEqual(extract(ex, request({ method: 'DELETE', query: 'k=q', contentType: FORM, body: 'k=b' })), ok('q'));
    assert.deepEqual(extract(ex, request({ method: 'POST', query: 'k=q', contentType: 'application/json', body: 'k=b' })), ok('q'));
    assert.deepEqual(extract(ex, request({ method: 'POST', query: 'k=q', contentType: '', body: 'k=b' })), ok('q'));
    assert.deepEqual(extract(ex, request({ method: 'POST', query: 'k=q', contentType: 'Application/X-WWW-Form-URLEncoded; charset=utf-8', body: 'k=b' })), ok('bq'));
  });

  it("follows url.ParseQuery: & separates, + is a space, %XX escapes, pairs with ; or bad escapes are skipped", () => {
    assert.deepEqual(extract(ex, request({ query: 'k=a+b%21' })), ok('a b!'));
    assert.deepEqual(extract(ex, request({ query: 'k=x;y&k=1' })), ok('1'));
    assert.deepEqual(extract(ex, request({ query: 'k=%zz&k=2' })), ok('2'));
    assert.deepEqual(extract(ex, request({ query: 'k' })), { ok: false, reason: 'the extracted value is empty (form field k); an empty credential would give every such request one shared session ID' });
    assert.deepEqual(extract(classic('form', 'value', { param_name: 'a b' }), request({ query: 'a+b=v' })), ok('v'));
  });

  it('copes with a body holding a million values of the field', () => {
    const body = `${'k=&'.repeat(1_000_000)}k=x`;
    assert.deepEqual(extract(ex, request({ method: 'POST', contentType: FORM, body, query: 'k=y' })), ok('xy'));
  });
});

describe('ID extractor: compiling the classic settings', () => {
  it('has no extractor when disabled or extract_with is not value, regex or xpath (as Tyk)', () => {
    assert.equal(compileIdExtractor(undefined).status, 'none');
    assert.equal(compileIdExtractor({ disabled: true, extract_from: 'header', extract_with: 'value' }).status, 'none');
    assert.equal(compileIdExtractor({ disabled: true, extract_from: 'querystring', extract_with: 'value' }).status, 'none');
    assert.equal(compileIdExtractor({ extract_from: 'header', extract_with: '' }).status, 'none');
    const typo = compileIdExtractor({ extract_from: 'header', extract_with: 'regexp' });
    assert.equal(typo.status, 'none');
    assert.match(typo.warnings[0]?.message ?? '', /not value, regex or xpath.*did you mean "regex"/);
  });

  it('compiles to a frozen extractor', () => {
    const ex = classic('header', 'regex', { header_name: 'A', regex_expression: 'a+', regex_match_index: 2 });
    assert.ok(Object.isFrozen(ex) && Object.isFrozen(ex.source) && Object.isFrozen(ex.method));
    assert.deepEqual(ex.source, { kind: 'header', headerName: 'A' });
    assert.equal(ex.method.kind === 'regex' && ex.method.matchIndex, 2);
  });

  it('refuses querystring, naming the field, and says to use form', () => {
    const [message] = errorsOf(compileIdExtractor({ extract_from: 'querystring', extract_with: 'value', extractor_config: { param_name: 'k' } }));
    assert.match(message ?? '', /^`custom_middleware\.id_extractor\.extract_from`: no Tyk extractor reads "querystring".*Use "form"/);
  });

  it('refuses value with the body (Tyk extracts "" for it: one shared ID)', () => {
    assert.match(errorsOf(compileIdExtractor({ extract_from: 'body', extract_with: 'value' }))[0] ?? '', /value extractor does not read the body/);
  });

  it('refuses an unknown or missing source', () => {
    assert.match(errorsOf(compileIdExtractor({ extract_from: 'cookie', extract_with: 'value' }))[0] ?? '', /Expected `custom_middleware\.id_extractor\.extract_from` to be "header", "form" or "body", got "cookie"/);
    assert.match(errorsOf(compileIdExtractor({ extract_with: 'regex', extractor_config: { regex_expression: 'a' } }))[0] ?? '', /extract_from/);
  });

  it('refuses a missing or invalid header name and a missing form field name', () => {
    assert.match(errorsOf(compileIdExtractor({ extract_from: 'header', extract_with: 'value' }))[0] ?? '', /extractor_config\.header_name`: is required/);
    assert.match(errorsOf(compileIdExtractor({ extract_from: 'header', extract_with: 'value', extractor_config: { header_name: 'X Key' } }))[0] ?? '', /not a valid HTTP header name/);
    assert.match(errorsOf(compileIdExtractor({ extract_from: 'form', extract_with: 'value' }))[0] ?? '', /extractor_config\.param_name`: is required/);
  });

  it('refuses a regex that is missing, does not compile, or that RE2 would reject', () => {
    const regex = (expr: unknown, index?: unknown) =>
      errorsOf(compileIdExtractor({ extract_from: 'header', extract_with: 'regex', extractor_config: { header_name: 'A', regex_expression: expr, regex_match_index: index } }));
    assert.match(regex('')[0] ?? '', /regex_expression`: is required/);
    assert.match(regex('(a')[0] ?? '', /regex_expression`: "\(a" is refused: missing closing \)/);
    assert.match(regex('(a)\\1')[0] ?? '', /does not support backreferences/);
    assert.match(regex('a(?=b)')[0] ?? '', /does not support lookahead/);
    assert.match(regex('(?<!a)b')[0] ?? '', /does not support lookbehind/);
  });

  it('refuses a regex_match_index that is negative, fractional or not a number', () => {
    const index = (value: unknown) =>
      errorsOf(compileIdExtractor({ extract_from: 'header', extract_with: 'regex', extractor_config: { header_name: 'A', regex_expression: 'a', regex_match_index: value } }))[0] ?? '';
    assert.match(index(-1), /Expected `custom_middleware\.id_extractor\.extractor_config\.regex_match_index` to be a whole number, 0 or more.*got -1 \(number\)/);
    assert.match(index(1.5), /got 1\.5 \(number\)/);
    assert.match(index('1'), /got "1" \(string\)/);
  });

  it('refuses an xpath that is missing or outside the supported subset', () => {
    const xpath = (expr: string) => errorsOf(compileIdExtractor({ extract_from: 'body', extract_with: 'xpath', extractor_config: { xpath_expression: expr } }))[0] ?? '';
    assert.match(xpath(''), /xpath_expression`: is required/);
    assert.match(xpath('//a[contains(., "x")]'), /xpath_expression`: .* is refused: predicates other than/);
    assert.match(xpath('/a/..'), /self and parent steps/);
  });

  it('refuses fields of the wrong type, as Tyk would fail to decode them', () => {
    const problems = errorsOf(compileIdExtractor({ extract_from: 'header', extract_with: 'value', extractor_config: { header_name: 7 } }));
    assert.match(problems[0] ?? '', /Expected `custom_middleware\.id_extractor\.extractor_config\.header_name` to be a string, got 7 \(number\)/);
    assert.match(errorsOf(compileIdExtractor({ disabled: 'no', extract_with: 'value' }))[0] ?? '', /disabled` to be true or false/);
    assert.match(errorsOf(compileIdExtractor({ extract_from: 'header', extract_with: 'value', extractor_config: [] }))[0] ?? '', /extractor_config` to be an object/);
    assert.match(errorsOf(compileIdExtractor('header'))[0] ?? '', /Expected `custom_middleware\.id_extractor` to be an object/);
  });

  it('reports every problem together', () => {
    const problems = errorsOf(compileIdExtractor({ extract_from: 'header', extract_with: 'regex', extractor_config: { regex_match_index: -2 } }));
    assert.equal(problems.length, 3, problems.join('\n'));
  });

  it('warns about unknown keys, with the closest known one, and about unused settings', () => {
    const result = compileIdExtractor({ extract_from: 'header', extract_with: 'value', extractor_config: { header_name: 'A', form_param_name: 'x', regex_expression: 'a' } });
    assert.equal(result.status, 'compiled');
    const messages = result.warnings.map((w) => w.message);
    assert.ok(messages.includes('Unknown key `custom_middleware.id_extractor.extractor_config.form_param_name` is ignored; did you mean `param_name`?'), messages.join('\n'));
    assert.ok(messages.some((m) => /regex_expression` is ignored: the extractor reads header with value/.test(m)), messages.join('\n'));
  });

  it('takes the path to report from the caller', () => {
    const result = compileIdExtractor({ extract_from: 'nope', extract_with: 'value' }, { path: 'apis[3].custom_middleware.id_extractor' });
    assert.equal(result.status === 'invalid' && result.errors[0]?.path, 'apis[3].custom_middleware.id_extractor.extract_from');
  });
});

describe('ID extractor: compiling the OAS settings', () => {
  const base = 'x-tyk-api-gateway.server.authentication.custom.config.idExtractor';

  it('compiles to the same shape as the classic form', () => {
    const oas = compiled(compileOasIdExtractor({ enabled: true, source: 'form', with: 'regex', config: { formParamName: 'k', regexp: '\\d+', regexpMatchIndex: 1 } }));
    const old = classic('form', 'regex', { param_name: 'k', regex_expression: '\\d+', regex_match_index: 1 });
    assert.deepEqual(oas, old);
    assert.deepEqual(extract(oas, request({ query: 'k=a1b22' })), ok('22'));
    assert.deepEqual(compileOasIdExtractor({ enabled: true, source: 'header', with: 'value', config: { headerName: 'X-Key' } }), compileIdExtractor({ extract_from: 'header', extract_with: 'value', extractor_config: { header_name: 'X-Key' } }));
    assert.deepEqual(compiled(compileOasIdExtractor({ enabled: true, source: 'body', with: 'xpath', config: { xPathExp: '//t' } })).method.kind, 'xpath');
  });

  it('is off unless enabled is true', () => {
    assert.equal(compileOasIdExtractor({ source: 'header', with: 'value', config: { headerName: 'A' } }).status, 'none');
    assert.equal(compileOasIdExtractor({ enabled: false, source: 'header', with: 'value', config: { headerName: 'A' } }).status, 'none');
  });

  it('reports problems with OAS paths and names', () => {
    const result = compileOasIdExtractor({ enabled: true, source: 'header', with: 'regex', config: { headerName: 'A', regexpMatchIndex: -1 }, extra: 1 });
    assert.equal(result.status, 'invalid');
    if (result.status !== 'invalid') return;
    assert.deepEqual(result.errors.map((e) => e.path), [`${base}.config.regexpMatchIndex`, `${base}.config.regexp`]);
    assert.deepEqual(result.warnings.map((w) => w.path), [`${base}.extra`]);
  });
});

describe('ID extractor: session IDs', () => {
  it("matches Tyk's GenerateToken vectors (protocol.md 2.8)", () => {
    assert.equal(sessionIdFor('abc', 'default', 'murmur64'), 'eyJvcmciOiJkZWZhdWx0IiwiaWQiOiI5MDAxNTA5ODNjZDI0ZmIwZDY5NjNmN2QyOGUxN2Y3MiIsImgiOiJtdXJtdXI2NCJ9');
    assert.equal(sessionIdFor('abc', 'default', ''), 'default900150983cd24fb0d6963f7d28e17f72');
  });

  it('writes the exact JSON for each algorithm, and murmur64 for an unknown one (as Tyk)', () => {
    const decoded = (id: string) => Buffer.from(id, 'base64').toString('utf8');
    for (const alg of ['murmur32', 'murmur64', 'murmur128', 'sha256']) {
      assert.equal(decoded(sessionIdFor('abc', 'org1', alg)), `{"org":"org1","id":"900150983cd24fb0d6963f7d28e17f72","h":"${alg}"}`);
    }
    assert.equal(decoded(sessionIdFor('abc', 'org1', 'md5')), '{"org":"org1","id":"900150983cd24fb0d6963f7d28e17f72","h":"murmur64"}');
    assert.equal(decoded(sessionIdFor('abc', '', 'sha256')), '{"org":"","id":"900150983cd24fb0d6963f7d28e17f72","h":"sha256"}');
  });

  it('trims a leading org ID from the md5 hex first, as generateToken does', () => {
    assert.equal(sessionIdFor('abc', '900150', ''), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(Buffer.from(sessionIdFor('abc', '900150', 'murmur64'), 'base64').toString(), '{"org":"900150","id":"983cd24fb0d6963f7d28e17f72","h":"murmur64"}');
    assert.equal(sessionIdFor('abc', '900150983cd24fb0d6963f7d28e17f72', ''), '900150983cd24fb0d6963f7d28e17f72900150983cd24fb0d6963f7d28e17f72');
  });

  it('hashes the UTF-8 bytes of the value', () => {
    // md5 of C3 A9, not of the Latin-1 byte E9 (3406877694691ddd1dfb0aca54681407).
    assert.equal(sessionIdFor('é', 'o', ''), 'o66ddcd97cfdeabb2f6fb8a999b4bc76f');
  });
});
