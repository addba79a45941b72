import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nothingLoggedAfterShutdown, useBypassBed } from '../helpers/bypass.js';

/**
 * Auth bypass corpus, the control API: `X-Tyk-Authorization` missing, wrong, and almost right.
 * Each is refused with Tyk's 403 and body; neither the secret nor what was sent is logged. The
 * comparison is constant time (gateway/control/secret.ts, crypto's timingSafeEqual on digests).
 */
const SECRET = 'Ctl-Secret-4f9b2e7a1c';
const REFUSED = `${JSON.stringify({ status: 'error', message: 'Attempted administrative access with invalid or missing key!' })}\n`;

describe('auth bypass corpus: control API secret', () => {
  const handle = useBypassBed(() => ({ config: { secret: SECRET } }));
  const bed = () => handle.bed;
  let n = 0;
  /** A distinct path per attempt; /tyk/keys lists keys (and /tyk/apis the APIs) when the secret passes. */
  const attempt = (header: string | undefined) =>
    bed().refused({
      path: n++ % 2 === 0 ? '/tyk/keys' : '/tyk/apis',
      headers: header === undefined ? {} : { 'x-tyk-authorization': header },
      secrets: [SECRET, ...(header === undefined ? [] : [header])],
      status: 403,
      exactBody: REFUSED,
    });
  const flip = (c: string) => (c === 'a' ? 'b' : 'a');

  it('control: the exact secret lists keys (200)', async () => {
    const res = await bed().send({ path: '/tyk/keys', headers: { 'x-tyk-authorization': SECRET }, secrets: [SECRET] });
    assert.equal(res.status, 200, res.text());
  });

  it('no X-Tyk-Authorization header: 403', async () => {
    await attempt(undefined);
  });

  it('an empty X-Tyk-Authorization header: 403', async () => {
    await attempt('');
  });

  it('a wrong secret: 403', async () => {
    await attempt('not-the-control-secret');
  });

  it('one character off, same length (last character): 403', async () => {
    await attempt(SECRET.slice(0, -1) + flip(SECRET.at(-1) ?? ''));
  });

  it('one character off, same length (first character): 403', async () => {
    await attempt(flip(SECRET[0] ?? '') + SECRET.slice(1));
  });

  it('a prefix of the secret (all but the last character): 403', async () => {
    await attempt(SECRET.slice(0, -1));
  });

  it('the secret plus a trailing character: 403', async () => {
    await attempt(`${SECRET}x`);
  });

  it('the secret in another case (upper): 403', async () => {
    await attempt(SECRET.toUpperCase());
  });

  it('the secret in another case (lower): 403', async () => {
    await attempt(SECRET.toLowerCase());
  });

  it('the secret padded with no-break spaces (which HTTP does not trim): 403', async () => {
    await attempt(`\u00a0${SECRET}\u00a0`);
  });

  it('the secret twice, comma-joined (a repeated header folded): 403', async () => {
    await attempt(`${SECRET}, ${SECRET}`);
  });

  it('the secret as a Bearer credential: 403', async () => {
    await attempt(`Bearer ${SECRET}`);
  });

  it('padded with spaces and tabs: accepted, because HTTP strips them before the value exists (Tyk\'s Go server too)', async () => {
    // RFC 9110 5.5: leading and trailing whitespace is not part of a field value; node's parser,
    // like Go's, removes it, so this is the exact secret by the time anything compares it.
    const res = await bed().send({ path: '/tyk/keys', headers: { 'x-tyk-authorization': ` \t${SECRET}\t ` }, secrets: [SECRET] });
    assert.equal(res.status, 200, res.text());
  });

  nothingLoggedAfterShutdown(handle);
});
