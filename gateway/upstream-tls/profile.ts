import { createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { openSslCiphers, type CertificateResolver, type ResolvedCertificate } from '../crypto/index.js';
import { envProxyFor, parseForwardProxy, type ForwardProxy } from './forward-proxy.js';
import { clientCertificate, cipherProblems, pinFingerprints, versionProblems, type UpstreamTlsGlobals } from './globals.js';
import { certificateKeysFor, lookupHost, pinKeysFor } from './host-maps.js';
import { caCertificatePem } from './trust.js';
import { tlsVersionName, type TlsVersionName } from './versions.js';

type Problem = { readonly path: string; readonly message: string };

/** An API's upstream settings, as its Classic definition has them (OAS ones are extracted to these). */
export interface ApiUpstreamInput {
  readonly targetUrl: string;
  readonly transport: {
    readonly ssl_insecure_skip_verify: boolean;
    readonly ssl_ciphers: readonly string[] | null;
    readonly ssl_min_version: number;
    readonly ssl_max_version: number;
    readonly ssl_force_common_name_check: boolean;
    readonly proxy_url: string;
  };
  readonly upstream_certificates: Readonly<Record<string, string>> | null;
  readonly upstream_certificates_disabled: boolean;
  readonly pinned_public_keys: Readonly<Record<string, string>> | null;
  readonly certificate_pinning_disabled: boolean;
}

/** How connections to an HTTPS upstream are made and checked. */
export interface UpstreamTlsOptions {
  /** False only with insecure skip verify (gateway or API): the chain and host name are then not checked. */
  readonly verifyChain: boolean;
  readonly minVersion: TlsVersionName;
  readonly maxVersion: TlsVersionName;
  /** OpenSSL cipher string, or undefined for OpenSSL's defaults. */
  readonly ciphers: string | undefined;
  /** Trusted CAs (PEM), or undefined for Node's default store. */
  readonly ca: readonly string[] | undefined;
  readonly clientCertificate: { readonly certPem: string; readonly keyPem: string; readonly label: string } | undefined;
  /** SPKI SHA-256 fingerprints; when not empty, some certificate the upstream presents must have one. */
  readonly pins: readonly string[];
  /** The leaf's subject CN must equal the host; it then replaces the SAN host-name check. */
  readonly commonNameCheck: boolean;
  readonly disableRenegotiation: boolean;
}

/** Everything that decides how the gateway connects to an API's upstream; equal profiles share one connection pool. */
export interface UpstreamProfile {
  /** Identifies the pool: a hash of the rest. */
  readonly key: string;
  /** Set for https:// targets. */
  readonly tls: UpstreamTlsOptions | undefined;
  readonly proxy: ForwardProxy | undefined;
  /** What an https:// proxy's certificate is verified against: the upstream trust store (undefined: Node's roots). */
  readonly proxyCa: readonly string[] | undefined;
}

/** The profile every API without settings of its own shares, for http:// targets and without a proxy. */
export const PLAIN_PROFILE: UpstreamProfile = { key: 'plain', tls: undefined, proxy: undefined, proxyCa: undefined };

/**
 * An API's upstream profile: the gateway's settings, overridden or extended by the API's as Tyk
 * does (tyk-config.md 3.4), for the API's target host. Every problem is reported.
 */
export function upstreamProfileOf(api: ApiUpstreamInput, globals: UpstreamTlsGlobals, resolver: CertificateResolver): { profile: UpstreamProfile | undefined; problems: Problem[] } {
  const problems: Problem[] = [];
  const resolve = (ref: string) => resolver.resolve(ref);
  const t = api.transport;
  const url = new URL(api.targetUrl);
  const secure = url.protocol === 'https:';

  const badVersions = versionProblems({ 'proxy.transport.ssl_min_version': t.ssl_min_version, 'proxy.transport.ssl_max_version': t.ssl_max_version });
  problems.push(...badVersions);
  const apiCiphers = t.ssl_ciphers ?? [];
  problems.push(...cipherProblems(apiCiphers, 'proxy.transport.ssl_ciphers'));

  // Every entry is resolved, not only the one for the target, so a bad reference never waits for its host.
  const certificates: Record<string, NonNullable<ReturnType<typeof clientCertificate>>> = {};
  if (!api.upstream_certificates_disabled) {
    for (const [host, ref] of Object.entries(api.upstream_certificates ?? {})) {
      const cert = clientCertificate(ref, `upstream_certificates[${JSON.stringify(host)}]`, resolve, problems);
      if (cert !== undefined) certificates[host] = cert;
    }
  }
  const pins: Record<string, string[]> = {};
  if (!api.certificate_pinning_disabled) {
    for (const [host, list] of Object.entries(api.pinned_public_keys ?? {})) {
      pins[host] = pinFingerprints(list, `pinned_public_keys[${JSON.stringify(host)}]`, resolve, problems);
    }
  }

  let proxy: ForwardProxy | undefined;
  const proxyUrl = t.proxy_url !== '' ? t.proxy_url : envProxyFor(globals.envProxy, secure, url.host);
  if (proxyUrl !== undefined) {
    const parsed = parseForwardProxy(proxyUrl);
    const where = t.proxy_url !== '' ? '`proxy.transport.proxy_url`' : `the ${secure ? 'HTTPS_PROXY' : 'HTTP_PROXY'} environment variable`;
    if (typeof parsed === 'string') problems.push({ path: 'proxy.transport.proxy_url', message: `${where} ${parsed}` });
    else proxy = parsed;
  }

  const minVersion = t.ssl_min_version > 0 ? t.ssl_min_version : globals.minVersion;
  const maxVersion = t.ssl_max_version > 0 ? t.ssl_max_version : globals.maxVersion;
  if (minVersion > maxVersion && badVersions.length === 0) {
    const from = (v: number, apiKey: string, globalKey: string) => (v > 0 ? `\`${apiKey}\`` : `\`${globalKey}\` or its default`);
    problems.push({
      path: 'proxy.transport.ssl_min_version',
      message: `the upstream minimum TLS version ${minVersion} (${from(t.ssl_min_version, 'proxy.transport.ssl_min_version', 'proxy_ssl_min_version')}) is greater than the maximum ${maxVersion} (${from(t.ssl_max_version, 'proxy.transport.ssl_max_version', 'proxy_ssl_max_version')}): no TLS version is left`,
    });
  }
  if (problems.length > 0) return { profile: undefined, problems };
  if (!secure && proxy === undefined) return { profile: PLAIN_PROFILE, problems };

  const fromStore = secure ? storeEntriesFor(url.host, globals, resolver) : { clientCertificates: {}, pinnedPublicKeys: {}, caPems: [], problems: [] };
  if (fromStore.problems.length > 0) return { profile: undefined, problems: fromStore.problems };

  const ca = fromStore.caPems.length === 0 ? globals.trustStore : [...(globals.trustStore ?? rootCertificates), ...fromStore.caPems];
  let tls: UpstreamTlsOptions | undefined;
  if (secure) {
    const gatewayCerts = { ...globals.clientCertificates, ...fromStore.clientCertificates };
    const gatewayPins = { ...globals.pinnedPublicKeys, ...fromStore.pinnedPublicKeys };
    const cert = lookupHost([gatewayCerts, certificates], certificateKeysFor(url.host))?.value;
    const pinList = lookupHost([gatewayPins, pins], pinKeysFor(url.host))?.value ?? [];
    tls = {
      verifyChain: !(globals.insecureSkipVerify || t.ssl_insecure_skip_verify),
      minVersion: tlsVersionName(minVersion),
      maxVersion: tlsVersionName(maxVersion),
      ciphers: openSslCiphers(apiCiphers.length > 0 ? apiCiphers : globals.ciphers).openssl,
      ca,
      clientCertificate: cert === undefined || cert.privateKeyPem === undefined ? undefined : { certPem: cert.certificatePem, keyPem: cert.privateKeyPem, label: cert.label },
      pins: pinList,
      commonNameCheck: globals.forceCommonNameCheck || t.ssl_force_common_name_check,
      disableRenegotiation: globals.disableRenegotiation,
    };
  }
  // The trust store is the same for every profile; hashing it once per API would only cost time.
  // CAs from the store differ per ID, so their IDs (SHA-256 of the content) are part of the identity.
  const storeCas = globals.storeEntries.caCertificates.map((c) => c.ref);
  const caMark = ca === undefined ? 0 : storeCas;
  const identity = JSON.stringify({ tls: tls === undefined ? null : { ...tls, ca: caMark }, proxy: proxy ?? null, proxyCa: caMark });
  const proxyCa = proxy?.protocol === 'https:' ? ca : undefined;
  return { profile: { key: createHash('sha256').update(identity).digest('hex').slice(0, 32), tls, proxy, proxyCa }, problems };
}

/**
 * The tyk.conf entries naming certificate-store IDs that apply to `host` (the keys Tyk tries for
 * it; every CA), resolved now that the store has been read. An ID the store does not have refuses
 * the API: mTLS, pinning or a CA that silently did nothing would be worse (docs/upstream-tls.md).
 */
function storeEntriesFor(host: string, globals: UpstreamTlsGlobals, resolver: CertificateResolver) {
  const problems: Problem[] = [];
  const resolve = (ref: string) => resolver.resolve(ref);
  const entries = globals.storeEntries;
  const clientCertificates: Record<string, ResolvedCertificate> = {};
  for (const key of certificateKeysFor(host)) {
    if (!Object.hasOwn(entries.clientCertificates, key)) continue;
    const ref = entries.clientCertificates[key] as string;
    const cert = clientCertificate(ref, `security.certificates.upstream[${JSON.stringify(key)}]`, resolve, problems);
    if (cert !== undefined) clientCertificates[key] = cert;
  }
  const pinnedPublicKeys: Record<string, string[]> = {};
  for (const key of pinKeysFor(host)) {
    const list = entries.pinnedPublicKeys[key];
    if (Object.hasOwn(entries.pinnedPublicKeys, key) && list !== undefined) pinnedPublicKeys[key] = pinFingerprints(list, `security.pinned_public_keys[${JSON.stringify(key)}]`, resolve, problems);
  }
  const caPems: string[] = [];
  for (const { index, ref } of entries.caCertificates) {
    const pem = caCertificatePem(ref, index, resolver, problems);
    if (pem !== undefined) caPems.push(pem);
  }
  return { clientCertificates, pinnedPublicKeys, caPems, problems };
}
