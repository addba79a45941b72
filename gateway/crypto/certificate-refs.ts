import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/**
 * Tyk names certificates in its config by reference: a certificate-store ID, a PEM file path, or
 * the PEM itself inline (tyk-config.md 3.2). A resolver turns a reference into the material, at
 * load time, synchronously: store IDs come from a snapshot of the store read before definitions
 * load (`storeBackedResolver`, gateway/api-load.ts).
 */
export interface CertificateResolver {
  resolve(ref: string): CertificateLookup;
}

export type CertificateLookup =
  | { readonly ok: true; readonly value: ResolvedCertificate }
  /** `storeId` is set when the reference is a certificate-store ID the resolver has not read yet. */
  | { readonly ok: false; readonly problem: string; readonly storeId?: string };

/** What a reference holds, as plain data (it ends up in frozen config). */
export interface ResolvedCertificate {
  /** The reference, shortened for messages when it is inline PEM. */
  readonly label: string;
  /** Every CERTIFICATE block, leaf first, as PEM. Empty for a bare public key. */
  readonly certificatePem: string;
  /** The private key (PEM), when the reference holds one; checked to match the first certificate. */
  readonly privateKeyPem: string | undefined;
  /** Hex SHA-256 of each certificate's (or bare public key's) SubjectPublicKeyInfo DER: what pins compare. */
  readonly publicKeySha256: readonly string[];
  /** The first certificate's subject common name, for messages. */
  readonly commonName: string | undefined;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;
/** Tyk's certificate IDs: the org ID followed by a hex SHA-256. */
const STORE_ID = /^[A-Za-z0-9_-]*[0-9a-f]{64}$/;

export function spkiSha256(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** A reference as shown in messages: inline PEM is not echoed whole. */
export function refLabel(ref: string): string {
  return ref.includes('-----BEGIN ') ? 'inline PEM' : JSON.stringify(ref);
}

/** Reads inline PEM and PEM files (relative paths from `baseDir`); store IDs come back with `storeId` set. */
export function fileAndPemResolver(baseDir: string): CertificateResolver {
  return storeBackedResolver(baseDir, new Map(), new Set());
}

/**
 * What the certificate store held for the IDs definitions name, read before they load: the
 * certificate, or why there is none ("not in the certificate store", storage unreachable).
 */
export type StoreSnapshot = ReadonlyMap<string, CertificateLookup>;

/**
 * Resolves as Tyk does: inline PEM, else a store ID (from `stored`), else a PEM file. A store ID
 * that `stored` has no answer for, and that is no file, is added to `wanted` (and comes back with
 * `storeId` set), so the caller can read it from the store and resolve again.
 */
export function storeBackedResolver(baseDir: string, stored: StoreSnapshot, wanted: Set<string>): CertificateResolver {
  return {
    resolve(ref: string): CertificateLookup {
      const trimmed = ref.trim();
      if (trimmed === '') return { ok: false, problem: 'an empty certificate reference' };
      if (trimmed.includes('-----BEGIN ')) return parsePem(trimmed, 'inline PEM');
      const fromStore = stored.get(trimmed);
      if (fromStore !== undefined) return fromStore;
      const path = isAbsolute(trimmed) ? trimmed : resolve(baseDir, trimmed);
      if (existsSync(path) && statSync(path).isFile()) {
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch (err) {
          return { ok: false, problem: `${path} could not be read: ${(err as Error).message}` };
        }
        return parsePem(text, path);
      }
      if (STORE_ID.test(trimmed)) {
        wanted.add(trimmed);
        return { ok: false, storeId: trimmed, problem: `${JSON.stringify(trimmed)} looks like a certificate-store ID, but the certificate store has not been read` };
      }
      return { ok: false, problem: `no such file: ${path}` };
    },
  };
}

/** Parses the PEM blocks of `text`: certificates, at most one private key, or bare public keys. */
export function parsePem(text: string, label: string): CertificateLookup {
  const certificates: X509Certificate[] = [];
  const publicKeys: KeyObject[] = [];
  let privateKeyPem: string | undefined;
  for (const match of text.matchAll(PEM_BLOCK)) {
    const [block, type] = match as unknown as [string, string];
    try {
      if (type === 'CERTIFICATE') certificates.push(new X509Certificate(block));
      else if (type === 'PUBLIC KEY') publicKeys.push(createPublicKey(block));
      else if (type === 'ENCRYPTED PRIVATE KEY') return { ok: false, problem: `${label} holds an encrypted private key, which cannot be used without its passphrase` };
      else if (type.endsWith('PRIVATE KEY')) {
        if (privateKeyPem !== undefined) return { ok: false, problem: `${label} holds more than one private key` };
        privateKeyPem = block;
      }
    } catch (err) {
      return { ok: false, problem: `${label} has a ${type} block that could not be parsed: ${(err as Error).message}` };
    }
  }
  if (certificates.length === 0 && publicKeys.length === 0) {
    return { ok: false, problem: `${label} holds no PEM certificate or public key` };
  }
  if (certificates.length > 0 && publicKeys.length > 0) {
    return { ok: false, problem: `${label} mixes certificates and bare public keys` };
  }
  const leaf = certificates[0];
  if (privateKeyPem !== undefined) {
    if (leaf === undefined) return { ok: false, problem: `${label} holds a private key without its certificate` };
    let matches = false;
    try {
      matches = leaf.checkPrivateKey(createPrivateKey(privateKeyPem));
    } catch (err) {
      return { ok: false, problem: `${label} has a private key that could not be parsed: ${(err as Error).message}` };
    }
    if (!matches) return { ok: false, problem: `${label}: the private key does not match the certificate` };
  }
  const commonName = leaf === undefined ? undefined : /(?:^|\n)CN=([^\n]*)/.exec(leaf.subject)?.[1];
  return {
    ok: true,
    value: {
      label,
      certificatePem: certificates.map((c) => c.toString()).join(''),
      privateKeyPem,
      publicKeySha256: (leaf === undefined ? publicKeys : certificates.map((c) => c.publicKey)).map(spkiSha256),
      commonName,
    },
  };
}
