import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateToken, hashKey, hashWith, tokenHashAlgorithm, tokenOrg } from '../../gateway/session/token.js';

describe('key hashing (protocol.md 2.8 test vectors)', () => {
  it('murmur32, murmur64, murmur128 and sha256 match the published vectors', () => {
    assert.equal(hashWith('murmur32', 'hello'), '248bfa47');
    assert.equal(hashWith('murmur32', 'abc'), 'b3dd93fa');
    assert.equal(hashWith('murmur64', 'abc'), 'b4963f3f3fad7867');
    assert.equal(hashWith('murmur128', 'abc'), 'b4963f3f3fad78673ba2744126ca2d52');
    assert.equal(hashWith('sha256', 'abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hashWith('murmur32', '47a0c79c427728b3df4af62b9228c8ae'), '0e7a099b');
    assert.equal(hashWith('murmur64', '47a0c79c427728b3df4af62b9228c8ae'), 'd20bbd351acd12cb');
  });

  it('agrees with the reference on every tail length (0 to 33 bytes) for murmur128 vs its own halves', () => {
    for (let n = 0; n <= 33; n++) {
      const text = 'x'.repeat(n);
      assert.equal(hashWith('murmur64', text), hashWith('murmur128', text).slice(0, 16), `length ${n}`);
      assert.match(hashWith('murmur32', text), /^[0-9a-f]{8}$/);
    }
    assert.equal(hashWith('murmur32', ''), '00000000');
  });

  it('takes the algorithm from the token: raw tokens are murmur32 whatever hash_key_function says', () => {
    assert.equal(hashKey('abc'), 'b3dd93fa');
    const generated = generateToken('default', createHash('md5').update('abc').digest('hex'), 'murmur64');
    assert.equal(tokenHashAlgorithm(generated), 'murmur64');
    assert.equal(hashKey(generated), hashWith('murmur64', generated));
  });
});

describe('generated tokens', () => {
  const md5abc = '900150983cd24fb0d6963f7d28e17f72';
  it('base64 JSON with a hash function, legacy org+id without (protocol.md 2.8)', () => {
    assert.equal(generateToken('default', md5abc, 'murmur64'), 'eyJvcmciOiJkZWZhdWx0IiwiaWQiOiI5MDAxNTA5ODNjZDI0ZmIwZDY5NjNmN2QyOGUxN2Y3MiIsImgiOiJtdXJtdXI2NCJ9');
    assert.equal(generateToken('default', md5abc, ''), 'default900150983cd24fb0d6963f7d28e17f72');
    assert.equal(generateToken('default', `default${md5abc}`, ''), 'default900150983cd24fb0d6963f7d28e17f72');
  });
  it('knows which org a token belongs to', () => {
    assert.equal(tokenOrg(generateToken('acme', md5abc, 'sha256')), 'acme');
    assert.equal(tokenOrg(`5e9d9544a1dcd60001d0ed20${md5abc}`), '5e9d9544a1dcd60001d0ed20');
    assert.equal(tokenOrg('plain-token'), '');
  });
});
