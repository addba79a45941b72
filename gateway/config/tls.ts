import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { getCiphers } from 'node:tls';
import { isInlinePem, looksLikeCertId, parsePem } from '../certs/index.js';
import { openSslCiphers } from '../crypto/index.js';
import { resolveTlsVersions } from '../upstream-tls/index.js';
import type { Problem } from '../validation/index.js';
import type { TykConfig } from './schema.js';

export type TlsVersionName = 'TLSv1.2' | 'TLSv1.3';

/** The gateway's TLS server settings, resolved (docs/tls.md). */
export interface TlsSettings {
  /** `use_ssl`: the listeners (gateway and control API) speak TLS. */
  readonly enabled: boolean;
  readonly minVersion: TlsVersionName;
  readonly maxVersion: TlsVersionName;
  /** OpenSSL cipher string, or undefined for node's defaults. */
  readonly ciphers: string | undefined;
  /** `ssl_certificates`, in order: store IDs, file paths (absolute) or inline PEM. */
  readonly serverCertificates: readonly string[];
  /** The deprecated `certificates` key pairs: PEM text read at load, and the SNI name given. */
  readonly namedCertificates: readonly { readonly domain: string; readonly pem: string }[];
  readonly http2: boolean;
  readonly skipClientCaAnnouncement: boolean;
  readonly customDomains: boolean;
  /** `security.certificates.apis`: added to every API's allow list. */
  readonly apiClientCertificates: readonly string[];
  readonly allowUnsafeDynamicMtlsToken: boolean;
  /** Encrypts private keys in the certificate store. */
  readonly storeSecret: string;
  readonly control: {
    readonly hostname: string;
    readonly mutualTls: boolean;
    readonly certificates: readonly string[];
  };
  readonly expiry: { readonly warningDays: number; readonly checkCooldownMs: number; readonly eventCooldownMs: number };
}

const VERSION_NAMES: Record<number, TlsVersionName> = { 771: 'TLSv1.2', 772: 'TLSv1.3' };

/**
 * Resolves `http_server_options` TLS keys and `security` (the parts of the gateway as a TLS
 * server), adding every problem found: TLS 1.0/1.1, versions that cannot both hold, unknown
 * cipher names, and certificate files that cannot be read or have no private key. References
 * shaped like store IDs are checked when the gateway starts, once storage is reachable.
 */
export function resolveTls(tyk: TykConfig, baseDir: string, errors: Problem[], warnings: Problem[]): TlsSettings {
  const hso = tyk.http_server_options;
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  let min = 771;
  let max = 772;
  let versionsKnown = true;
  for (const key of ['min_version', 'max_version'] as const) {
    const value = hso[key];
    if (value === 769 || value === 770) {
      errors.push({ path: `http_server_options.${key}`, message: `\`http_server_options.${key}\` ${value} asks for TLS ${value === 769 ? '1.0' : '1.1'}, which is insecure and not supported (as in Tyk since 5.6); use 771 (TLS 1.2) or 772 (TLS 1.3)` });
      versionsKnown = false;
    } else if (value !== 0 && value !== 771 && value !== 772) {
      errors.push({ path: `http_server_options.${key}`, message: `Expected \`http_server_options.${key}\` to be 771 (TLS 1.2), 772 (TLS 1.3), or 0 for the default, got ${value}` });
      versionsKnown = false;
    }
  }
  if (versionsKnown) {
    const resolved = resolveTlsVersions(hso.min_version, hso.max_version);
    if ('error' in resolved) {
      errors.push({ path: 'http_server_options.min_version', message: `failed to resolve \`http_server_options.min_version\` and \`http_server_options.max_version\`: ${resolved.error}` });
    } else {
      ({ min, max } = resolved);
    }
  }

  const names = hso.ssl_ciphers ?? [];
  const ciphers = openSslCiphers(names);
  if (ciphers.unknown.length > 0) {
    errors.push({ path: 'http_server_options.ssl_ciphers', message: `\`http_server_options.ssl_ciphers\`: unknown cipher suite name(s) ${ciphers.unknown.map((n) => JSON.stringify(n)).join(', ')} (Go's names, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)` });
  }
  const offered = new Set(getCiphers().map((c) => c.toUpperCase()));
  const unavailable = names.filter((name) => {
    const mapped = openSslCiphers([name]).openssl?.split(':')[0];
    return mapped !== undefined && !mapped.startsWith('TLS_') && !offered.has(mapped);
  });
  if (unavailable.length > 0) {
    errors.push({ path: 'http_server_options.ssl_ciphers', message: `\`http_server_options.ssl_ciphers\`: ${unavailable.join(', ')} ${unavailable.length === 1 ? 'is' : 'are'} insecure and not offered by this gateway's TLS library` });
  }

  const serverCertificates = (hso.ssl_certificates ?? []).map((ref, index) => {
    const at = `http_server_options.ssl_certificates[${index}]`;
    if (isInlinePem(ref)) checkPem(ref, at, 'the inline PEM', true, errors);
    else if (!looksLikeCertId(ref)) checkPemFile(path(ref), at, true, errors);
    return isInlinePem(ref) || looksLikeCertId(ref) ? ref : path(ref);
  });
  const namedCertificates = (hso.certificates ?? []).flatMap((entry, index) => {
    const at = `http_server_options.certificates[${index}]`;
    const cert = readText(path(entry.cert_file), `${at}.cert_file`, errors);
    const key = readText(path(entry.key_file), `${at}.key_file`, errors);
    if (cert === undefined || key === undefined) return [];
    if (!checkPem(cert + key, at, `${entry.cert_file} with ${entry.key_file}`, true, errors)) return [];
    return [{ domain: entry.domain_name.toLowerCase(), pem: cert + key }];
  });
  if (hso.use_ssl && serverCertificates.length === 0 && namedCertificates.length === 0) {
    const message = '`http_server_options.use_ssl` is true but no server certificate is configured (http_server_options.ssl_certificates)';
    if (tyk.enable_custom_domains) warnings.push({ path: 'http_server_options.ssl_certificates', message: `${message}: only clients asking for an API's custom domain will complete a handshake` });
    else errors.push({ path: 'http_server_options.ssl_certificates', message });
  }
  if (!hso.use_ssl) {
    for (const key of ['ssl_certificates', 'certificates', 'ssl_ciphers'] as const) {
      if ((hso[key] ?? []).length > 0) warnings.push({ path: `http_server_options.${key}`, message: `\`http_server_options.${key}\` has no effect: \`http_server_options.use_ssl\` is false` });
    }
    if (hso.enable_http2) warnings.push({ path: 'http_server_options.enable_http2', message: '`http_server_options.enable_http2` has no effect: HTTP/2 is offered over TLS only (`http_server_options.use_ssl` is false)' });
  }
  if (hso.server_name !== '') warnings.push({ path: 'http_server_options.server_name', message: '`http_server_options.server_name` has no effect on a TLS server (in Tyk neither); the certificate is chosen by SNI' });

  const sec = tyk.security;
  const control = { hostname: tyk.control_api_hostname.toLowerCase(), mutualTls: sec.control_api_use_mutual_tls, certificates: checkRefs(sec.certificates.control_api ?? [], 'security.certificates.control_api', path, errors) };
  if (control.mutualTls && control.certificates.length === 0) {
    errors.push({ path: 'security.certificates.control_api', message: '`security.control_api_use_mutual_tls` is true but `security.certificates.control_api` lists no certificate: no client could ever reach the control API' });
  }
  if (control.mutualTls && !hso.use_ssl) {
    errors.push({ path: 'security.control_api_use_mutual_tls', message: '`security.control_api_use_mutual_tls` needs `http_server_options.use_ssl`: without TLS there is no client certificate to check' });
  }
  for (const key of ['dashboard_api', 'mdcb_api'] as const) {
    if ((sec.certificates[key] ?? []).length > 0) warnings.push({ path: `security.certificates.${key}`, message: `\`security.certificates.${key}\` has no effect: Hookgate does not connect to Tyk ${key === 'mdcb_api' ? 'MDCB' : 'Dashboard'}` });
  }
  const monitor = sec.certificate_expiry_monitor;
  return {
    enabled: hso.use_ssl,
    minVersion: VERSION_NAMES[min] ?? 'TLSv1.2',
    maxVersion: VERSION_NAMES[max] ?? 'TLSv1.3',
    ciphers: ciphers.openssl,
    serverCertificates,
    namedCertificates,
    http2: hso.enable_http2,
    skipClientCaAnnouncement: hso.skip_client_ca_announcement,
    customDomains: tyk.enable_custom_domains,
    apiClientCertificates: checkRefs(sec.certificates.apis ?? [], 'security.certificates.apis', path, errors),
    allowUnsafeDynamicMtlsToken: sec.allow_unsafe_dynamic_mtls_token,
    storeSecret: sec.private_certificate_encoding_secret !== '' ? sec.private_certificate_encoding_secret : tyk.secret,
    control,
    expiry: { warningDays: monitor.warning_threshold_days, checkCooldownMs: monitor.check_cooldown_seconds * 1000, eventCooldownMs: monitor.event_cooldown_seconds * 1000 },
  };
}

/** Certificate references (no private key needed): files must exist and parse; IDs are checked at start. */
function checkRefs(refs: readonly string[], at: string, path: (p: string) => string, errors: Problem[]): string[] {
  return refs.map((ref, index) => {
    if (isInlinePem(ref)) {
      checkPem(ref, `${at}[${index}]`, 'the inline PEM', false, errors);
      return ref;
    }
    if (looksLikeCertId(ref)) return ref;
    checkPemFile(path(ref), `${at}[${index}]`, false, errors);
    return path(ref);
  });
}

function readText(file: string, at: string, errors: Problem[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    errors.push({ path: at, message: `\`${at}\`: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return undefined;
  }
}

function checkPemFile(file: string, at: string, needsKey: boolean, errors: Problem[]): void {
  const text = readText(file, at, errors);
  if (text !== undefined) checkPem(text, at, file, needsKey, errors);
}

function checkPem(text: string, at: string, what: string, needsKey: boolean, errors: Problem[]): boolean {
  const parsed = parsePem(text);
  if (!parsed.ok) errors.push({ path: at, message: `\`${at}\`: ${what}: ${parsed.error}` });
  else if (needsKey && parsed.value.key === undefined) errors.push({ path: at, message: `\`${at}\`: ${what} has no private key; a server certificate needs its key in the same PEM` });
  else if (parsed.value.certs.length === 0 && parsed.value.publicKey !== undefined && needsKey) errors.push({ path: at, message: `\`${at}\`: ${what} is a public key, not a certificate` });
  else return true;
  return false;
}
