import type { KeyObject, X509Certificate } from 'node:crypto';
import { fingerprintOf, sha256Hex, toPem, type ParsedPem } from './pem.js';

/**
 * A certificate (with its chain and, for key pairs, its private key) as every part of the gateway
 * uses it: server certificates, client-certificate allow lists, certificate auth, and upstream TLS.
 * Built from the store, a PEM file, or inline PEM.
 */
export interface Certificate {
  /** The store ID (`<org><sha256>`); for a file or inline PEM, the reference it was read from. */
  readonly id: string;
  /** Lowercase hex SHA-256 of the leaf's DER (of the public key's DER for a lone public key). */
  readonly fingerprint: string;
  /** The leaf first, then the chain, as stored. Empty for a lone public key. */
  readonly certs: readonly X509Certificate[];
  readonly leaf: X509Certificate | undefined;
  /** The certificates as PEM (leaf first), without the key. */
  readonly certPem: string;
  /** The private key as PKCS#8 PEM, when this is a key pair. A secret: never log it. */
  readonly keyPem: string | undefined;
  /** The leaf's public key, or the lone public key. */
  readonly publicKey: KeyObject | undefined;
  /** SHA-256 hex of the public key's SPKI DER (what public-key pinning compares). */
  readonly publicKeyFingerprint: string;
  readonly notBefore: Date | undefined;
  readonly notAfter: Date | undefined;
  /** The leaf is a CA (basicConstraints CA:TRUE). */
  readonly isCa: boolean;
  readonly hasPrivate: boolean;
  /** The leaf's DNS names (subjectAltName), lowercased. */
  readonly dnsNames: readonly string[];
}

/** The DNS names of a certificate's subjectAltName. */
export function dnsNamesOf(cert: X509Certificate): string[] {
  const alt = cert.subjectAltName ?? '';
  return alt
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
}

export function certificateOf(id: string, parsed: ParsedPem): Certificate {
  const leaf = parsed.certs[0];
  const publicKey = leaf?.publicKey ?? parsed.publicKey;
  return {
    id,
    fingerprint: fingerprintOf(parsed),
    certs: parsed.certs,
    leaf,
    certPem: parsed.certs.map((c) => toPem('CERTIFICATE', c.raw)).join(''),
    keyPem: parsed.key?.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
    publicKeyFingerprint: publicKey === undefined ? '' : sha256Hex(publicKey.export({ type: 'spki', format: 'der' })),
    notBefore: leaf === undefined ? undefined : new Date(leaf.validFrom),
    notAfter: leaf === undefined ? undefined : new Date(leaf.validTo),
    isCa: leaf?.ca ?? false,
    hasPrivate: parsed.key !== undefined,
    dnsNames: leaf === undefined ? [] : dnsNamesOf(leaf),
  };
}

/** Whether the certificate's validity period has ended at `now`. */
export const isExpired = (cert: X509Certificate, now = Date.now()): boolean => new Date(cert.validTo).getTime() < now;
export const notYetValid = (cert: X509Certificate, now = Date.now()): boolean => new Date(cert.validFrom).getTime() > now;
