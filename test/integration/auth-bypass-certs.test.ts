import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { nothingLoggedAfterShutdown, useBypassBed } from '../helpers/bypass.js';
import { keySession, SECRET } from '../helpers/control.js';
import { httpsRequestTo, type TlsClientOptions } from '../helpers/tls.js';
import { makeCert, makePki, type TestCert } from '../helpers/x509.js';

/**
 * Auth bypass corpus, client certificates, over real TLS handshakes with certificates made here:
 * certificate auth with the token alone, expired, self-signed and unlisted certificates, and a
 * bound token presented with another allow-listed certificate.
 */
const ORG = 'org1';
const BOUND_TOKEN = 'bound-token-bypass-8c1d';
const { root } = makePki('Bypass');
const other = makePki('Elsewhere');
const certs = {
  linked: makeCert({ cn: 'linked-client', issuer: root }),
  allowed: makeCert({ cn: 'allowed-client', issuer: root }),
  secondAllowed: makeCert({ cn: 'second-allowed-client' }),
  expired: makeCert({ cn: 'expired-client', issuer: root, notBeforeDays: -30, notAfterDays: -1 }),
  selfSigned: makeCert({ cn: 'self-signed-client' }),
  byOtherCa: makeCert({ cn: 'other-ca-client', issuer: other.root }),
};
const as = (cert: TestCert, chain: readonly TestCert[] = []): TlsClientOptions => ({ cert: cert.cert + chain.map((c) => c.cert).join(''), key: cert.key });

describe('auth bypass corpus: client certificates', () => {
  let n = 0;
  const path = (api: string) => `/${api}/attempt-${++n}`;
  const handle = useBypassBed((up) => ({
    redis: true,
    config: { secret: SECRET, http_server_options: { use_ssl: true, ssl_certificates: [makeCert({ cn: 'gw.test', dns: ['gw.test'] }).pair] } },
    apis: {
      'certauth.json': keylessApi('certauth', '/certauth/', up.origin, {}, { org_id: ORG, use_keyless: false, auth_configs: { authToken: { use_certificate: true } } }),
      // The root CA and one self-signed leaf are allowed; the domain is shared with certauth, so the check is at HTTP level.
      'static.json': keylessApi('static', '/static/', up.origin, {}, { org_id: ORG, use_mutual_tls_auth: true, client_certificates: [root.cert, certs.secondAllowed.cert] }),
      'bound.json': keylessApi('bound', '/bound/', up.origin, {}, { org_id: ORG, use_mutual_tls_auth: true, use_keyless: false, use_standard_auth: true, client_certificates: [certs.allowed.cert, certs.secondAllowed.cert] }),
    },
  }));
  const bed = () => handle.bed;
  const control = (method: string, p: string, body: string) =>
    httpsRequestTo(bed().gw.port, p, { method, headers: { 'x-tyk-authorization': SECRET, 'content-type': 'text/plain' }, body });
  let made: Promise<string> | undefined;
  /** The certauth key linked to `linked` (its name is the certificate ID, as Tyk makes it), and the bound key. */
  const setup = () =>
    (made ??= (async () => {
      for (const cert of [certs.linked, certs.allowed, certs.secondAllowed]) assert.equal((await control('POST', `/tyk/certs?org_id=${ORG}`, cert.cert)).status, 200);
      const key = await control('POST', '/tyk/keys/create', JSON.stringify(keySession('certauth', ORG, { certificate: ORG + certs.linked.sha256 })));
      assert.equal(key.status, 200, key.text());
      const bound = await control('POST', `/tyk/keys/${BOUND_TOKEN}`, JSON.stringify(keySession('bound', ORG, { mtls_static_certificate_bindings: [ORG + certs.allowed.sha256] })));
      assert.equal(bound.status, 200, bound.text());
      return (key.json() as { key: string }).key;
    })());

  it('control: the linked certificate passes certificate auth; the bound token passes with its own certificate', async (t) => {
    if (handle.skip(t)) return;
    await setup();
    assert.equal((await bed().send({ path: path('certauth'), tls: as(certs.linked) })).status, 200);
    assert.equal((await bed().send({ path: path('bound'), tls: as(certs.allowed), headers: { authorization: BOUND_TOKEN }, secrets: [BOUND_TOKEN] })).status, 200);
    assert.equal((await bed().send({ path: path('static'), tls: as(certs.allowed) })).status, 200);
  });

  // The linked key's name is the certificate ID (org + SHA-256 of the public certificate, as Tyk
  // names it): a public fingerprint the control API logs when the certificate is added, not a
  // secret, so it is not searched for; with the default strict mode it is no credential either.
  it('certificate auth with the linked key\'s token alone, no client certificate: 401 Client certificate required', async (t) => {
    if (handle.skip(t)) return;
    const token = await setup();
    await bed().refused({ path: path('certauth'), tls: {}, headers: { authorization: token }, secrets: [], status: 401, error: 'Client certificate required' });
  });

  it('certificate auth with an expired certificate (plus the valid token): 403 Certificate has expired', async (t) => {
    if (handle.skip(t)) return;
    const token = await setup();
    await bed().refused({ path: path('certauth'), tls: as(certs.expired), headers: { authorization: token }, secrets: [], status: 403, error: 'Certificate has expired' });
  });

  it('certificate auth with a self-signed certificate nobody linked (plus the valid token): 401 Access to this API has been disallowed', async (t) => {
    if (handle.skip(t)) return;
    const token = await setup();
    await bed().refused({ path: path('certauth'), tls: as(certs.selfSigned), headers: { authorization: token }, secrets: [], status: 401, error: 'Access to this API has been disallowed' });
  });

  it('static mTLS: an expired certificate from the allowed CA: 403 Certificate has expired', async (t) => {
    if (handle.skip(t)) return;
    await bed().refused({ path: path('static'), tls: as(certs.expired), secrets: [], status: 403, error: 'Certificate has expired' });
  });

  it('static mTLS: a self-signed certificate not on the list: 403 Certificate with SHA256 <sha> not allowed', async (t) => {
    if (handle.skip(t)) return;
    await bed().refused({ path: path('static'), tls: as(certs.selfSigned), secrets: [], status: 403, error: `Certificate with SHA256 ${certs.selfSigned.sha256} not allowed` });
  });

  it('static mTLS: a certificate of another CA (unlisted): 403 Certificate with SHA256 <sha> not allowed', async (t) => {
    if (handle.skip(t)) return;
    await bed().refused({ path: path('static'), tls: as(certs.byOtherCa), secrets: [], status: 403, error: `Certificate with SHA256 ${certs.byOtherCa.sha256} not allowed` });
  });

  it('static mTLS: an unlisted leaf followed by a copy of an allowed certificate (Tyk quirk 17): 403 not allowed', async (t) => {
    if (handle.skip(t)) return;
    await bed().refused({ path: path('static'), tls: as(certs.selfSigned, [certs.secondAllowed]), secrets: [], status: 403, error: `Certificate with SHA256 ${certs.selfSigned.sha256} not allowed` });
  });

  it('static mTLS: no client certificate at all: 403 Client TLS certificate is required', async (t) => {
    if (handle.skip(t)) return;
    await bed().refused({ path: path('static'), tls: {}, secrets: [], status: 403, error: 'Client TLS certificate is required' });
  });

  it('a token bound to one certificate, sent with another allow-listed certificate: 401 Access to this API has been disallowed', async (t) => {
    if (handle.skip(t)) return;
    await setup();
    await bed().refused({ path: path('bound'), tls: as(certs.secondAllowed), headers: { authorization: BOUND_TOKEN }, secrets: [BOUND_TOKEN], status: 401, error: 'Access to this API has been disallowed' });
  });

  nothingLoggedAfterShutdown(handle);
});
