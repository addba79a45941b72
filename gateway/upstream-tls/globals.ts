import { fileAndPemResolver, openSslCiphers, refLabel, type CertificateLookup, type ResolvedCertificate } from '../crypto/index.js';
import { envProxyOf, type EnvProxy } from './forward-proxy.js';
import { extraTrustAnchors, trustStoreWith } from './trust.js';
import { isTlsVersion, resolveTlsVersions, TLS_VERSION_EXPECTATION } from './versions.js';

type Problem = { readonly path: string; readonly message: string };

/** The tyk.conf keys about upstream TLS, as validated by the config schema. */
export interface UpstreamTlsConfigInput {
  readonly proxy_ssl_insecure_skip_verify: boolean;
  readonly proxy_ssl_min_version: number;
  readonly proxy_ssl_max_version: number;
  readonly proxy_ssl_ciphers: readonly string[] | null;
  readonly proxy_ssl_disable_renegotiation: boolean;
  readonly ssl_force_common_name_check: boolean;
  readonly security: {
    readonly pinned_public_keys: Readonly<Record<string, string>> | null;
    readonly certificates: { readonly upstream: Readonly<Record<string, string>> | null };
  };
  readonly hookgate: { readonly upstream: { readonly ca_certificates: readonly string[] } };
}

/** The gateway-wide upstream TLS settings, resolved once at load. Plain data (it is frozen with the config). */
export interface UpstreamTlsGlobals {
  readonly insecureSkipVerify: boolean;
  /** Resolved protocol numbers (771/772 unless set). */
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Go cipher names as written (validated); empty: OpenSSL's defaults. */
  readonly ciphers: readonly string[];
  readonly disableRenegotiation: boolean;
  readonly forceCommonNameCheck: boolean;
  /** `security.certificates.upstream`: host key → certificate with its private key. */
  readonly clientCertificates: Readonly<Record<string, ResolvedCertificate>>;
  /** `security.pinned_public_keys`: host key → SPKI SHA-256 fingerprints. */
  readonly pinnedPublicKeys: Readonly<Record<string, readonly string[]>>;
  /** Node's roots plus the extra CAs, or undefined when there are no extras (Node's default store). */
  readonly trustStore: readonly string[] | undefined;
  /**
   * Entries that name certificate-store IDs, as written: the store is read after the config, so
   * they are resolved with each API definition (only those that apply to its upstream host).
   */
  readonly storeEntries: StoreEntries;
  readonly envProxy: EnvProxy;
  /** Where relative certificate paths in API definitions resolve (the config file's folder). */
  readonly baseDir: string;
}

/** tyk.conf upstream entries naming certificate-store IDs, resolved when API definitions load. */
export interface StoreEntries {
  /** `security.certificates.upstream`: host key → reference. */
  readonly clientCertificates: Readonly<Record<string, string>>;
  /** `security.pinned_public_keys`: host key → comma list of references. */
  readonly pinnedPublicKeys: Readonly<Record<string, string>>;
  /** `hookgate.upstream.ca_certificates`: references with their index. */
  readonly caCertificates: readonly { readonly index: number; readonly ref: string }[];
}

const NO_STORE_ENTRIES: StoreEntries = { clientCertificates: {}, pinnedPublicKeys: {}, caCertificates: [] };

/** The settings of a gateway whose tyk.conf sets none of them (for checking definitions without a config). */
export const DEFAULT_UPSTREAM_TLS: UpstreamTlsGlobals = {
  insecureSkipVerify: false,
  minVersion: 771,
  maxVersion: 772,
  ciphers: [],
  disableRenegotiation: false,
  forceCommonNameCheck: false,
  clientCertificates: {},
  pinnedPublicKeys: {},
  trustStore: undefined,
  storeEntries: NO_STORE_ENTRIES,
  envProxy: { http: '', https: '', noProxy: '' },
  baseDir: '.',
};

/** Reads every certificate a comma list names, as SPKI fingerprints; problems go to `problems`. */
export function pinFingerprints(list: string, path: string, resolve: (ref: string) => CertificateLookup, problems: Problem[]): string[] {
  const fingerprints: string[] = [];
  for (const ref of list.split(',').map((r) => r.trim()).filter((r) => r !== '')) {
    const found = resolve(ref);
    if (found.ok) fingerprints.push(...found.value.publicKeySha256);
    else problems.push({ path, message: `\`${path}\`: public key ${refLabel(ref)}: ${found.problem}` });
  }
  if (fingerprints.length === 0 && !problems.some((p) => p.path === path)) {
    problems.push({ path, message: `\`${path}\` names no public key: every upstream connection it applies to would be refused` });
  }
  return fingerprints;
}

/** Resolves one upstream client certificate reference; it must carry its private key. */
export function clientCertificate(ref: string, path: string, resolve: (ref: string) => CertificateLookup, problems: Problem[]): ResolvedCertificate | undefined {
  const found = resolve(ref);
  if (!found.ok) {
    problems.push({ path, message: `\`${path}\`: certificate ${refLabel(ref)}: ${found.problem}` });
    return undefined;
  }
  if (found.value.privateKeyPem === undefined) {
    problems.push({ path, message: `\`${path}\`: ${found.value.label} has no private key; an upstream client certificate needs the certificate and its key in one PEM` });
    return undefined;
  }
  return found.value;
}

export function cipherProblems(names: readonly string[], path: string): Problem[] {
  const { unknown } = openSslCiphers(names);
  return unknown.map((name) => ({ path, message: `\`${path}\`: ${JSON.stringify(name)} is not a Go TLS cipher suite name (such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)` }));
}

export function versionProblems(values: Readonly<Record<string, number>>): Problem[] {
  return Object.entries(values)
    .filter(([, v]) => !isTlsVersion(v))
    .map(([path, v]) => ({ path, message: `Expected \`${path}\` to be ${TLS_VERSION_EXPECTATION}, got ${v}` }));
}

/** Resolves the tyk.conf upstream TLS settings; every problem is reported. */
export function resolveUpstreamTlsGlobals(tyk: UpstreamTlsConfigInput, baseDir: string, env: NodeJS.ProcessEnv): { globals: UpstreamTlsGlobals | undefined; problems: Problem[] } {
  const problems: Problem[] = [];
  const resolver = fileAndPemResolver(baseDir);
  const resolve = (ref: string) => resolver.resolve(ref);
  const versionErrors = versionProblems({ proxy_ssl_min_version: tyk.proxy_ssl_min_version, proxy_ssl_max_version: tyk.proxy_ssl_max_version });
  problems.push(...versionErrors);
  let versions = { min: 0, max: 0 };
  if (versionErrors.length === 0) {
    const resolved = resolveTlsVersions(tyk.proxy_ssl_min_version, tyk.proxy_ssl_max_version);
    if ('error' in resolved) {
      problems.push({ path: 'proxy_ssl_min_version', message: `failed to resolve \`proxy_ssl_min_version\` and \`proxy_ssl_max_version\`: ${resolved.error}` });
    } else {
      versions = resolved;
    }
  }
  const ciphers = tyk.proxy_ssl_ciphers ?? [];
  problems.push(...cipherProblems(ciphers, 'proxy_ssl_ciphers'));

  // A store ID cannot be read yet: the entry waits for the API definitions (storeEntries).
  const names = (list: string) => list.split(',').map((r) => r.trim()).filter((r) => r !== '');
  const inStore = (ref: string) => {
    const found = resolver.resolve(ref);
    return !found.ok && found.storeId !== undefined;
  };
  const stored = { clientCertificates: {} as Record<string, string>, pinnedPublicKeys: {} as Record<string, string>, caCertificates: [] as { index: number; ref: string }[] };
  const clientCertificates: Record<string, ResolvedCertificate> = {};
  for (const [host, ref] of Object.entries(tyk.security.certificates.upstream ?? {})) {
    if (inStore(ref)) {
      stored.clientCertificates[host] = ref;
      continue;
    }
    const cert = clientCertificate(ref, `security.certificates.upstream[${JSON.stringify(host)}]`, resolve, problems);
    if (cert !== undefined) clientCertificates[host] = cert;
  }
  const pinnedPublicKeys: Record<string, string[]> = {};
  for (const [host, list] of Object.entries(tyk.security.pinned_public_keys ?? {})) {
    if (names(list).some(inStore)) stored.pinnedPublicKeys[host] = list;
    else pinnedPublicKeys[host] = pinFingerprints(list, `security.pinned_public_keys[${JSON.stringify(host)}]`, resolve, problems);
  }
  const configured: { index: number; ref: string }[] = [];
  tyk.hookgate.upstream.ca_certificates.forEach((ref, index) => (inStore(ref) ? stored.caCertificates : configured).push({ index, ref }));
  const trust = extraTrustAnchors({ env, configured, resolver });
  problems.push(...trust.problems);
  if (problems.length > 0) return { globals: undefined, problems };
  return {
    problems,
    globals: {
      insecureSkipVerify: tyk.proxy_ssl_insecure_skip_verify,
      minVersion: versions.min,
      maxVersion: versions.max,
      ciphers,
      disableRenegotiation: tyk.proxy_ssl_disable_renegotiation,
      forceCommonNameCheck: tyk.ssl_force_common_name_check,
      clientCertificates,
      pinnedPublicKeys,
      trustStore: trustStoreWith(trust.pems),
      storeEntries: stored,
      envProxy: envProxyOf(env),
      baseDir,
    },
  };
}
