import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { CertificateResolver } from '../crypto/index.js';

/**
 * Where upstream certificates are verified against. Tyk (Go) trusts the operating system's store,
 * which `SSL_CERT_FILE` and `SSL_CERT_DIR` point elsewhere; Node trusts its bundled Mozilla roots
 * (the same public CAs) plus `NODE_EXTRA_CA_CERTS`. Hookgate trusts Node's roots, plus the PEM
 * files those three variables name, plus `hookgate.upstream.ca_certificates`.
 */
export interface TrustSources {
  readonly env: NodeJS.ProcessEnv;
  /** `hookgate.upstream.ca_certificates` entries with their index (store IDs are resolved later, apart). */
  readonly configured: readonly { readonly index: number; readonly ref: string }[];
  readonly resolver: CertificateResolver;
}

/**
 * The extra CA certificates (PEM), or an empty list when there are none (then Node's default
 * store is used as is, shared by every connection). Problems are per source.
 */
export function extraTrustAnchors(sources: TrustSources): { pems: string[]; problems: { path: string; message: string }[] } {
  const pems: string[] = [];
  const problems: { path: string; message: string }[] = [];
  const file = (variable: string, path: string) => {
    try {
      const text = readFileSync(path, 'utf8');
      if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
      pems.push(text);
    } catch (err) {
      problems.push({ path: `(environment) ${variable}`, message: `\`${variable}\` names ${path}, which could not be used: ${(err as Error).message}` });
    }
  };
  for (const variable of ['SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS']) {
    const path = sources.env[variable];
    if (path !== undefined && path !== '') file(variable, path);
  }
  const dirs = sources.env['SSL_CERT_DIR'];
  for (const dir of dirs === undefined || dirs === '' ? [] : dirs.split(':')) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile());
    } catch (err) {
      problems.push({ path: '(environment) SSL_CERT_DIR', message: `\`SSL_CERT_DIR\` names ${dir}, which could not be read: ${(err as Error).message}` });
    }
    for (const name of names) {
      try {
        const text = readFileSync(join(dir, name), 'utf8');
        if (text.includes('-----BEGIN CERTIFICATE-----')) pems.push(text);
      } catch {
        // Go skips unreadable entries of a certificate folder too.
      }
    }
  }
  for (const { index, ref } of sources.configured) {
    const pem = caCertificatePem(ref, index, sources.resolver, problems);
    if (pem !== undefined) pems.push(pem);
  }
  return { pems, problems };
}

/** One `hookgate.upstream.ca_certificates` entry as PEM; undefined (with the problem added) when unusable. */
export function caCertificatePem(ref: string, index: number, resolver: CertificateResolver, problems: { path: string; message: string }[]): string | undefined {
  const found = resolver.resolve(ref);
  const path = `hookgate.upstream.ca_certificates[${index}]`;
  if (!found.ok) problems.push({ path, message: `\`${path}\`: ${found.problem}` });
  else if (found.value.certificatePem === '') problems.push({ path, message: `\`${path}\`: ${found.value.label} holds no certificate (a bare public key cannot be a CA)` });
  else return found.value.certificatePem;
  return undefined;
}

/** Node's bundled roots with the extras, for `tls.createSecureContext({ ca })` (which replaces the defaults). */
export function trustStoreWith(extras: readonly string[]): readonly string[] | undefined {
  return extras.length === 0 ? undefined : [...rootCertificates, ...extras];
}
