import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadApiDocuments, type ApiSpec } from '../../gateway/apidef/index.js';
import { downstreamResponseHeaders, upstreamPathOf, upstreamQueryOf, upstreamRequestHead } from '../../gateway/proxy/index.js';
import { keylessApi } from '../helpers/apis.js';

function spec(targetUrl: string, proxy: Record<string, unknown> = {}, listenPath = '/api/'): ApiSpec {
  const result = loadApiDocuments([{ file: 't.json', document: keylessApi('t', listenPath, targetUrl, proxy) }]);
  const api = result.apis[0];
  if (api === undefined) throw new Error(JSON.stringify(result.refused));
  return api;
}

describe('upstream path (Tyk singleJoiningSlash semantics)', () => {
  it('strips the listen path when asked', () => {
    assert.equal(upstreamPathOf(spec('http://up'), '/api/users/1', 4), '/users/1');
    assert.equal(upstreamPathOf(spec('http://up', { strip_listen_path: false }), '/api/users/1', 4), '/api/users/1');
  });
  it('joins behind the target path with one slash', () => {
    assert.equal(upstreamPathOf(spec('http://up/base'), '/api/users', 4), '/base/users');
    assert.equal(upstreamPathOf(spec('http://up/base/'), '/api/users/', 4), '/base/users/');
  });
  it('drops the target trailing slash for an empty path unless disable_strip_slash', () => {
    assert.equal(upstreamPathOf(spec('http://up/base/'), '/api/', 4), '/base');
    assert.equal(upstreamPathOf(spec('http://up/base/', { disable_strip_slash: true }), '/api/', 4), '/base/');
    assert.equal(upstreamPathOf(spec('http://up'), '/api', 4), '/');
  });
  it('merges the target query in front of the request query', () => {
    assert.equal(upstreamQueryOf(spec('http://up/?k=v'), 'a=1'), 'k=v&a=1');
    assert.equal(upstreamQueryOf(spec('http://up/?k=v'), ''), 'k=v');
    assert.equal(upstreamQueryOf(spec('http://up/'), 'a=1&a=2'), 'a=1&a=2');
  });
});

describe('forwarded headers', () => {
  const facts = { clientIp: '10.1.1.1', proto: 'http', preserveHost: false, trustForwardedHeaders: false };
  const asMap = (flat: readonly string[]) => {
    const map: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) map[(flat[i] as string).toLowerCase()] = flat[i + 1] as string;
    return map;
  };

  it('drops hop-by-hop headers and those the Connection header names, keeping the client\'s case', () => {
    const head = upstreamRequestHead(
      ['Host', 'gw', 'Connection', 'keep-alive, X-Private', 'X-Private', '1', 'Keep-Alive', '5', 'TE', 'trailers', 'Proxy-Authorization', 'secret', 'Expect', '100-continue', 'X-Keep', 'yes'],
      facts,
    );
    assert.deepEqual(head.headers, ['X-Keep', 'yes', 'X-Forwarded-For', '10.1.1.1', 'X-Forwarded-Proto', 'http', 'X-Forwarded-Host', 'gw']);
    assert.equal(head.hasBody, false);
  });

  it('extends X-Forwarded-For (all of them, in order) and sets Proto and Host from the connection', () => {
    const head = upstreamRequestHead(['host', 'gw:8080', 'x-forwarded-for', '1.2.3.4', 'X-Forwarded-For', '5.6.7.8', 'x-forwarded-proto', 'https', 'x-forwarded-host', 'spoofed'], facts);
    const map = asMap(head.headers);
    assert.equal(map['x-forwarded-for'], '1.2.3.4, 5.6.7.8, 10.1.1.1');
    assert.equal(map['x-forwarded-proto'], 'http');
    assert.equal(map['x-forwarded-host'], 'gw:8080');
    assert.equal(map['host'], undefined);
  });

  it("keeps a trusted proxy's Proto and Host, and the client Host when preserving it", () => {
    const head = upstreamRequestHead(['Host', 'gw', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'public.example'], { ...facts, trustForwardedHeaders: true, preserveHost: true });
    const map = asMap(head.headers);
    assert.equal(map['x-forwarded-proto'], 'https');
    assert.equal(map['x-forwarded-host'], 'public.example');
    assert.equal(map['host'], 'gw');
  });

  it('notices a body from Content-Length or Transfer-Encoding', () => {
    assert.equal(upstreamRequestHead(['Content-Length', '0'], facts).hasBody, false);
    assert.equal(upstreamRequestHead(['Content-Length', '12'], facts).hasBody, true);
    assert.equal(upstreamRequestHead(['Transfer-Encoding', 'chunked'], facts).hasBody, true);
  });

  it('refuses a request with two Host headers', () => {
    assert.equal(upstreamRequestHead(['Host', 'a', 'Host', 'b'], facts).invalid, 'more than one Host header');
  });

  it('drops hop-by-hop response headers and keeps repeated ones in order and case', () => {
    const raw = ['Connection', 'close, X-Hop', 'X-Hop', '1', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'X-OK', 'y'].map((s) => Buffer.from(s));
    assert.deepEqual(downstreamResponseHeaders(raw), ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'X-OK', 'y']);
  });
});
