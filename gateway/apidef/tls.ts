import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isInlinePem, looksLikeCertId, parsePem } from '../certs/index.js';
import type { Problem } from '../validation/index.js';
import { authConfigOf, type AuthMethod } from './auth/index.js';
import type { ApiTlsPlan } from './model.js';
import type { ApiDefinition } from './schema.js';

/** What an API's TLS settings are checked against: the gateway's TLS config. */
export interface ApiTlsContext {
  /** `http_server_options.use_ssl`. */
  readonly enabled: boolean;
  readonly customDomains: boolean;
  /** `security.certificates.apis`, added to every API's allow list. */
  readonly apiClientCertificates: readonly string[];
  /** Where relative certificate paths resolve (the config file's folder). */
  readonly baseDir: string;
}

export const NO_TLS: ApiTlsContext = { enabled: false, customDomains: false, apiClientCertificates: [], baseDir: process.cwd() };

/**
 * Static mTLS, certificate auth and the custom domain of an API (tyk-config.md 1.8, 1.9, 3.5),
 * checked at load: what can never work is an error (an allow list that is empty, mTLS or
 * certificate auth on a gateway without TLS, a certificate file that cannot be read), so the API
 * is refused rather than answering every request with a refusal.
 */
export function checkApiTls(def: ApiDefinition, methods: readonly AuthMethod[], tls: ApiTlsContext, errors: Problem[], warnings: Problem[]): ApiTlsPlan {
  const path = (p: string) => (isAbsolute(p) ? p : resolve(tls.baseDir, p));
  const refs = (list: readonly string[] | null, at: string, needsKey: boolean) =>
    (list ?? []).map((ref, index) => checkReference(ref, `${at}[${index}]`, needsKey, path, errors));

  let clientCertificates: string[] | undefined;
  if (def.use_mutual_tls_auth) {
    clientCertificates = [...refs(def.client_certificates, 'client_certificates', false), ...tls.apiClientCertificates];
    if (clientCertificates.length === 0) {
      errors.push({ path: 'client_certificates', message: '`use_mutual_tls_auth` is true but `client_certificates` (and the gateway\'s security.certificates.apis) list no certificate: every request would be refused' });
    }
    if (!tls.enabled) {
      errors.push({ path: 'use_mutual_tls_auth', message: '`use_mutual_tls_auth` needs TLS on the gateway (http_server_options.use_ssl): without it no client certificate can be presented' });
    }
  } else if ((def.client_certificates ?? []).length > 0) {
    warnings.push({ path: 'client_certificates', message: '`client_certificates` has no effect: `use_mutual_tls_auth` is false' });
  }

  const certificateAuth = methods.includes('auth_token') && authConfigOf(def, 'auth_token')?.use_certificate === true;
  if (certificateAuth && !tls.enabled) {
    errors.push({ path: 'auth_configs.authToken.use_certificate', message: '`auth_configs.authToken.use_certificate` (certificate auth) needs TLS on the gateway (http_server_options.use_ssl); Hookgate does not fall back to the bare token on plain HTTP as Tyk does' });
  }

  let domain = '';
  const wanted = def.domain.trim().toLowerCase();
  if (wanted !== '' && !def.domain_disabled) {
    if (/[{}/:\s]/.test(wanted)) {
      errors.push({ path: 'domain', message: `\`domain\` must be a host name, got ${JSON.stringify(def.domain)} (host patterns with {...} are not supported)` });
    } else if (!tls.customDomains) {
      warnings.push({ path: 'domain', message: `\`domain\` ${JSON.stringify(def.domain)} is ignored because the gateway's enable_custom_domains is false: as in Tyk, the API answers on every host` });
    } else {
      domain = wanted;
    }
  }
  const serverCertificates = [...refs(def.certificates, 'certificates', true), ...refs(def.certificate_pairs, 'certificate_pairs', true)];
  if (serverCertificates.length > 0 && domain === '') {
    warnings.push({ path: 'certificates', message: '`certificates` are used for the API\'s custom domain, and the API has none in effect: they are still offered by SNI for the names they carry' });
  }
  if (serverCertificates.length > 0 && !tls.enabled) {
    warnings.push({ path: 'certificates', message: '`certificates` have no effect: the gateway does not use TLS (http_server_options.use_ssl)' });
  }
  return { domain, clientCertificates, serverCertificates, certificateAuth };
}

/** A reference as used at run time: inline PEM and IDs as written, files made absolute and checked now. */
function checkReference(ref: string, at: string, needsKey: boolean, path: (p: string) => string, errors: Problem[]): string {
  if (looksLikeCertId(ref)) return ref;
  let text = ref;
  let what = 'the inline PEM';
  if (!isInlinePem(ref)) {
    what = path(ref);
    try {
      text = readFileSync(what, 'utf8');
    } catch (err) {
      errors.push({ path: at, message: `\`${at}\`: cannot read ${what}: ${(err as NodeJS.ErrnoException).code ?? String(err)} (nor is it a certificate ID)` });
      return what;
    }
  }
  const parsed = parsePem(text);
  if (!parsed.ok) errors.push({ path: at, message: `\`${at}\`: ${what}: ${parsed.error}` });
  else if (needsKey && parsed.value.key === undefined) errors.push({ path: at, message: `\`${at}\`: ${what} has no private key; a server certificate needs its key in the same PEM` });
  return isInlinePem(ref) ? ref : what;
}
