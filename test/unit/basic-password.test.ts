import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { describe, it, mock } from 'node:test';
import { PasswordCache } from '../../gateway/pipeline/auth/basic-cache.js';
import { bcryptMatches, digestMatches, hashPassword, passwordCheckOf } from '../../gateway/session/index.js';
import { constantTimeEqual } from '../../gateway/crypto/index.js';

/** Written by Go's golang.org/x/crypto/bcrypt (GenerateFromPassword("s3cret:pass", 10)), as Tyk writes it. */
const GO_BCRYPT = '$2a$10$bZSw0DDpFgLniBYNAYuF.OTcdgly1Yqmsd1EjQQXc2OoDhmFxYZ1e';

/** The byte lengths compared by each crypto.timingSafeEqual call made while `run` runs (the named import sees the spy). */
async function timingSafeCalls(run: () => unknown): Promise<number[][]> {
  const spy = mock.method(crypto, 'timingSafeEqual');
  syncBuiltinESMExports();
  try {
    await run();
    return spy.mock.calls.map((call) => call.arguments.map((view) => view.byteLength));
  } finally {
    spy.mock.restore();
    syncBuiltinESMExports();
  }
}

describe('basic auth: password hash types', () => {
  it('stores each basic_auth_hash_key_function as Tyk does (HashStr vectors, protocol.md 2.8)', async () => {
    assert.equal(await hashPassword('sha256', 'abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(await hashPassword('murmur32', 'abc'), 'b3dd93fa');
    assert.equal(await hashPassword('murmur64', 'abc'), 'b4963f3f3fad7867');
    assert.equal(await hashPassword('murmur128', 'abc'), 'b4963f3f3fad78673ba2744126ca2d52');
    const bcrypt = await hashPassword('bcrypt', 'abc');
    assert.match(bcrypt, /^\$2a\$10\$[./A-Za-z0-9]{53}$/, 'cost 10, minor version "a" as Go writes it');
    assert.notEqual(await hashPassword('bcrypt', 'abc'), bcrypt, 'a fresh salt each time');
    assert.equal(await bcryptMatches(bcrypt, 'abc'), true);
  });

  it('refuses to bcrypt a password over 72 bytes (Go refuses; node would cut it)', async () => {
    await assert.rejects(hashPassword('bcrypt', 'é'.repeat(37)), RangeError);
    assert.equal(await hashPassword('sha256', 'x'.repeat(100)).then((h) => h.length), 64);
  });

  it('checks by hash_type: "" plain, sha256 and murmur digests, anything else bcrypt', () => {
    assert.deepEqual(['', undefined, 'sha256', 'murmur32', 'murmur64', 'murmur128', 'bcrypt', 'md5'].map(passwordCheckOf), ['plain', 'plain', 'digest', 'digest', 'digest', 'digest', 'bcrypt', 'bcrypt']);
    assert.equal(digestMatches('', 'pw', 'pw'), true);
    assert.equal(digestMatches('', 'pw', 'pw '), false);
    assert.equal(digestMatches('sha256', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'abc'), true);
    assert.equal(digestMatches('murmur64', 'b4963f3f3fad7867', 'abc'), true);
    assert.equal(digestMatches('murmur64', 'b4963f3f3fad7867', 'abd'), false);
    assert.equal(digestMatches('murmur32', 'B3DD93FA', 'abc'), false, 'the stored digest is compared as stored (lower-case hex)');
  });

  it('verifies a bcrypt hash Go wrote, under every prefix Go reads, and fails closed on the rest', async () => {
    assert.equal(await bcryptMatches(GO_BCRYPT, 's3cret:pass'), true);
    assert.equal(await bcryptMatches(GO_BCRYPT.replace('$2a$', '$2y$'), 's3cret:pass'), true);
    assert.equal(await bcryptMatches(GO_BCRYPT.replace('$2a$', '$2b$'), 's3cret:pass'), true);
    assert.equal(await bcryptMatches(GO_BCRYPT, 's3cret:pas'), false);
    assert.equal(await bcryptMatches('not a hash', 's3cret:pass'), false);
    assert.equal(await bcryptMatches('', ''), false);
    assert.equal(await bcryptMatches(await hashPassword('bcrypt', 'x'.repeat(72)), 'x'.repeat(73)), false, 'no match past 72 bytes');
  });

  it('compares plain and digest passwords in constant time: SHA-256 of both sides, whatever their lengths', async () => {
    for (const [stored, presented] of [['short', 'a much longer presented password'], ['same', 'same'], ['', 'x']] as const) {
      const calls = await timingSafeCalls(() => digestMatches('', stored, presented));
      assert.equal(calls.length, 1, 'exactly one constant-time comparison, no early exit');
      assert.deepEqual(calls[0], [32, 32]);
    }
    const digest = await timingSafeCalls(() => digestMatches('murmur32', 'b3dd93fa', 'abc'));
    assert.deepEqual(digest, [[32, 32]]);
    assert.equal(constantTimeEqual('a', 'a'), true);
    assert.equal(constantTimeEqual('a', 'ab'), false, 'different lengths compare (timingSafeEqual alone would throw)');
  });
});

describe('basic auth: the bcrypt result cache', () => {
  const counting = (answer: boolean) => {
    const verify = mock.fn(async () => answer);
    return verify;
  };

  it('answers a repeated success from memory, and never a different password or a changed hash', async () => {
    const cache = new PasswordCache(60_000);
    const ok = counting(true);
    assert.equal(await cache.check('org1alice', 'HASH1', 'right', ok), true);
    assert.equal(await cache.check('org1alice', 'HASH1', 'right', ok), true);
    assert.equal(ok.mock.callCount(), 1, 'the second check is a hit');
    const wrong = counting(false);
    for (const password of ['righ', 'right ', 'RIGHT', '', 'right\u0000']) assert.equal(await cache.check('org1alice', 'HASH1', password, wrong), false);
    assert.equal(wrong.mock.callCount(), 5, 'every other password runs bcrypt');
    assert.equal(await cache.check('org1alice', 'HASH2', 'right', wrong), false, 'a new hash (changed password) misses');
    assert.equal(await cache.check('org1bob', 'HASH1', 'right', wrong), false, 'another key misses');
    assert.equal(await cache.check('org1alice', 'HASH1', 'right', ok), true, 'failures did not evict the success');
    assert.equal(ok.mock.callCount(), 1);
  });

  it('does not keep failures, and the hit path compares in constant time', async () => {
    const cache = new PasswordCache(60_000);
    await cache.check('k', 'H', 'bad', counting(false));
    assert.equal(cache.size, 0);
    await cache.check('k', 'H', 'good', counting(true));
    const calls = await timingSafeCalls(() => cache.check('k', 'H', 'other', counting(false)));
    assert.deepEqual(calls, [[32, 32]]);
  });

  it('forgets a success after the TTL', async () => {
    let now = 1_000_000;
    const cache = new PasswordCache(60_000, 100, () => now);
    const ok = counting(true);
    await cache.check('k', 'H', 'pw', ok);
    now += 59_999;
    await cache.check('k', 'H', 'pw', ok);
    assert.equal(ok.mock.callCount(), 1, 'still cached just before the TTL');
    now += 1;
    await cache.check('k', 'H', 'pw', ok);
    assert.equal(ok.mock.callCount(), 2, 'checked again at the TTL');
  });

  it('holds at most maxEntries keys, forgetting the oldest', async () => {
    const cache = new PasswordCache(60_000, 3);
    const ok = counting(true);
    for (const key of ['a', 'b', 'c', 'd']) await cache.check(key, 'H', 'pw', ok);
    assert.equal(cache.size, 3);
    await cache.check('a', 'H', 'pw', ok);
    assert.equal(ok.mock.callCount(), 5, '"a" was forgotten');
    await cache.check('d', 'H', 'pw', ok);
    assert.equal(ok.mock.callCount(), 5, '"d" is still there');
  });

  it('shares one bcrypt run between concurrent checks of the same credential only', async () => {
    const cache = new PasswordCache(60_000);
    let release: (value: boolean) => void = () => undefined;
    const slow = mock.fn(() => new Promise<boolean>((resolve) => (release = resolve)));
    const other = counting(false);
    const first = cache.check('k', 'H', 'pw', slow);
    const second = cache.check('k', 'H', 'pw', slow);
    const different = cache.check('k', 'H', 'guess', other);
    assert.equal(await different, false);
    release(true);
    assert.deepEqual(await Promise.all([first, second]), [true, true]);
    assert.equal(slow.mock.callCount(), 1);
    assert.equal(other.mock.callCount(), 1, 'a different password never joins the run');
  });
});
