import assert from 'node:assert/strict';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { certificateOf, chainsTo, checkAllowList, CertificateStore, parsePem, type Certificate, type PeerCertificates } from '../../gateway/certs/index.js';
import { MemoryStore } from '../../gateway/storage/index.js';
import { SniTable } from '../../gateway/tls/index.js';
import { makeCert, makePki, type TestCert } from '../helpers/x509.js';

const entry = (cert: TestCert): Certificate => {
  const parsed = parsePem(cert.cert);
  assert.ok(parsed.ok);
  return certificateOf(cert.sha256, parsed.value);
};
const presented = (leaf: TestCert, chain: readonly TestCert[] = []): PeerCertificates => ({
  kind: 'presented',
  leaf: new X509Certificate(leaf.cert),
  fingerprint: leaf.sha256,
  intermediates: chain.map((c) => new X509Certificate(c.cert)),
});

describe('certificate parsing and IDs (Tyk: org + SHA-256 of the leaf)', () => {
  it('reads a key pair, a chain, a public key; refuses what Tyk refuses, with its texts', () => {
    const pair = makeCert({ cn: 'p' });
    const parsed = parsePem(pair.pair);
    assert.ok(parsed.ok);
    const cert = certificateOf('org' + pair.sha256, parsed.value);
    assert.equal(cert.fingerprint, pair.sha256);
    assert.equal(cert.hasPrivate, true);
    assert.deepEqual(parsePem('hello'), { ok: false, error: 'Failed to decode certificate. It should be PEM encoded.' });
    assert.deepEqual(parsePem(pair.key + makeCert({ cn: 'q' }).key + pair.cert), { ok: false, error: 'Found multiple private keys' });
    const mismatch = parsePem(pair.cert + makeCert({ cn: 'q' }).key);
    assert.equal(mismatch.ok, false);
    const pub = createPublicKey(pair.keyObject).export({ type: 'spki', format: 'pem' }) as string;
    assert.deepEqual(parsePem(pub + pair.cert), { ok: false, error: "Public keys can't be combined with certificates" });
    const lone = parsePem(pub);
    assert.ok(lone.ok && lone.value.publicKey !== undefined);
  });

  it('stores keys encrypted, reads them back with the secret only, and lists by org', async () => {
    const store = new CertificateStore(new MemoryStore(), { secret: 's3cret', baseDir: '/' });
    const pair = makeCert({ cn: 'stored' });
    const added = await store.add(pair.pair, 'orgA');
    assert.deepEqual(added, { ok: true, id: `orgA${pair.sha256}` });
    const back = await store.get(`orgA${pair.sha256}`);
    assert.equal(back?.hasPrivate, true);
    assert.equal(back?.keyPem?.includes('BEGIN PRIVATE KEY'), true);
    const raw = await store.store.get(`cert-raw-orgA${pair.sha256}`);
    assert.match(raw ?? '', /ENCRYPTED PRIVATE KEY/);
    const wrongSecret = new CertificateStore(store.store, { secret: 'other', baseDir: '/' });
    assert.equal(await wrongSecret.get(`orgA${pair.sha256}`), undefined, 'a wrong secret cannot open the key');
    await store.add(makeCert({ cn: 'other org' }).cert, 'orgAB');
    assert.deepEqual(await store.list('orgA'), [`orgA${pair.sha256}`], 'orgAB is not orgA');
    assert.equal((await store.list('')).length, 2);
  });
});

describe('the static allow list (tyk-config.md 3.7, without quirks 17 and 18)', () => {
  const { root, intermediate } = makePki();
  const leaf = makeCert({ cn: 'leaf' });
  const viaIntermediate = makeCert({ cn: 'via-intermediate', issuer: intermediate });

  it('matches the leaf by fingerprint, or a chain to an allowed CA', () => {
    assert.deepEqual(checkAllowList(presented(leaf), [entry(leaf)]), { ok: true });
    assert.deepEqual(checkAllowList(presented(viaIntermediate, [intermediate]), [entry(root)]), { ok: true });
    assert.deepEqual(checkAllowList(presented(viaIntermediate, [intermediate]), [entry(intermediate)]), { ok: true }, 'an intermediate can be the anchor');
    assert.equal(checkAllowList(presented(viaIntermediate), [entry(root)]).ok, false);
  });

  it('never matches a certificate the client attached behind its leaf', () => {
    const attacker = makeCert({ cn: 'attacker' });
    const result = checkAllowList(presented(attacker, [leaf]), [entry(leaf)]);
    assert.deepEqual(result, { ok: false, message: `Certificate with SHA256 ${attacker.sha256} not allowed` });
  });

  it('refuses a leaf that is not a CA as an anchor, an expired intermediate, and a server-only leaf', () => {
    const byLeaf = makeCert({ cn: 'by-leaf', issuer: leaf });
    assert.equal(chainsTo(new X509Certificate(byLeaf.cert), [], new X509Certificate(leaf.cert)), false);
    const oldIntermediate = makeCert({ cn: 'old-int', ca: true, issuer: root, notBeforeDays: -20, notAfterDays: -2 });
    const underOld = makeCert({ cn: 'under-old', issuer: oldIntermediate });
    assert.equal(checkAllowList(presented(underOld, [oldIntermediate]), [entry(root)]).ok, false);
    const serverOnly = makeCert({ cn: 'server-only', issuer: root, eku: ['server'] });
    assert.equal(checkAllowList(presented(serverOnly), [entry(root)]).ok, false);
  });

  it("uses Tyk's texts for no TLS, no certificate and an expired one", () => {
    assert.deepEqual(checkAllowList({ kind: 'no_tls' }, []), { ok: false, message: 'TLS not enabled' });
    assert.deepEqual(checkAllowList({ kind: 'none' }, []), { ok: false, message: 'Client TLS certificate is required' });
    const expired = makeCert({ cn: 'expired', notBeforeDays: -5, notAfterDays: -1 });
    assert.deepEqual(checkAllowList(presented(expired), [entry(expired)]), { ok: false, message: 'Certificate has expired' });
  });
});

describe('SNI selection (tyk-config.md 3.5)', () => {
  const pairOf = (cert: TestCert): Certificate => {
    const parsed = parsePem(cert.pair);
    assert.ok(parsed.ok);
    return certificateOf(cert.sha256, parsed.value);
  };

  it('API certificates first, then named pairs, then ssl_certificates; exact before wildcard; the first ssl_certificates pair by default', () => {
    const table = new SniTable();
    const global = pairOf(makeCert({ cn: 'global', dns: ['shared.test', '*.wild.test'] }));
    const named = pairOf(makeCert({ cn: 'named', dns: ['other.test'] }));
    const api = pairOf(makeCert({ cn: 'api', dns: ['shared.test'] }));
    const cnOnly = pairOf(makeCert({ cn: 'cn-only.test' }));
    table.add('global', global, '');
    table.add('global', cnOnly, '');
    table.add('named', named, 'legacy.test');
    table.add('api', api, '');
    const cn = (name: string) => /CN=([^\n]*)/.exec(table.select(name)?.leaf?.subject ?? '')?.[1];
    assert.equal(cn('shared.test'), 'api', 'an API certificate wins a name clash');
    assert.equal(cn('legacy.test'), 'named', 'a certificates[] pair serves its domain_name');
    assert.equal(cn('a.wild.test'), 'global');
    assert.equal(cn('a.b.wild.test'), undefined, 'a wildcard covers one label');
    assert.equal(cn('CN-ONLY.test.'), 'cn-only.test', 'no SAN: the CN; case and a trailing dot do not matter');
    assert.equal(table.select('unknown.test'), undefined);
    assert.equal(table.defaultCert(), global);
  });
});
