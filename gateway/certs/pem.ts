import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

/** One `-----BEGIN <label>-----` block: its label, headers (legacy encryption) and DER bytes. */
export interface PemBlock {
  readonly label: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every PEM block of a text, in order; text between blocks is ignored (as Go's pem.Decode). */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const body = match[2] ?? '';
    const headers: Record<string, string> = {};
    let base64 = body;
    const split = /\r?\n\r?\n/.exec(body);
    if (split !== null && body.slice(0, split.index).includes(':')) {
      for (const line of body.slice(0, split.index).split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      }
      base64 = body.slice(split.index + split[0].length);
    }
    blocks.push({ label: match[1] ?? '', headers, der: Buffer.from(base64.replace(/\s+/g, ''), 'base64') });
  }
  return blocks;
}

export function toPem(label: string, der: Buffer, headers: Readonly<Record<string, string>> = {}): string {
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\n`).join('');
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${head}${head === '' ? '' : '\n'}${lines.join('\n')}\n-----END ${label}-----\n`;
}

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** What a stored or configured certificate reference holds once parsed. */
export interface ParsedPem {
  /** Certificates in file order (the leaf first, then its chain). */
  readonly certs: readonly X509Certificate[];
  /** The private key, when the PEM had one (decrypted). */
  readonly key: KeyObject | undefined;
  /** A lone public key (`PUBLIC KEY` block, for pinning or RSA signatures). */
  readonly publicKey: KeyObject | undefined;
}

export type PemParse = { readonly ok: true; readonly value: ParsedPem } | { readonly ok: false; readonly error: string };

/** A private key block, tried as PKCS#8, PKCS#1 and SEC1 (Go accepts all three). */
export function privateKeyOf(der: Buffer): KeyObject | undefined {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // next encoding
    }
  }
  return undefined;
}

const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

/**
 * Parses a PEM as Tyk's certificate store reads one (tyk-config.md 3.2), with its error texts:
 * certificates, at most one private key (which must belong to the first certificate), or one
 * public key alone. `decrypt` opens an `ENCRYPTED PRIVATE KEY` block written by the store.
 */
export function parsePem(text: string, decrypt?: (block: PemBlock) => Buffer | undefined): PemParse {
  const blocks = pemBlocks(text);
  if (blocks.length === 0) return { ok: false, error: 'Failed to decode certificate. It should be PEM encoded.' };
  const certs: X509Certificate[] = [];
  let keyDer: Buffer | undefined;
  let publicKey: KeyObject | undefined;
  for (const block of blocks) {
    if (block.label === 'CERTIFICATE') {
      try {
        certs.push(new X509Certificate(block.der));
      } catch (err) {
        return { ok: false, error: `Error while parsing certificate: ${err instanceof Error ? err.message : String(err)}` };
      }
    } else if (KEY_LABELS.has(block.label) || block.label === 'ENCRYPTED PRIVATE KEY') {
      if (keyDer !== undefined) return { ok: false, error: 'Found multiple private keys' };
      const der = block.label === 'ENCRYPTED PRIVATE KEY' ? decrypt?.(block) : block.der;
      if (der === undefined) return { ok: false, error: 'Error while parsing certificate: the private key cannot be decrypted' };
      keyDer = der;
    } else if (block.label === 'PUBLIC KEY') {
      try {
        publicKey = createPublicKey({ key: block.der, format: 'der', type: 'spki' });
      } catch (err) {
        return { ok: false, error: `Error while parsing certificate: ${err instanceof Error ? err.message : String(err)}` };
      }
    }
  }
  if (publicKey !== undefined && (certs.length > 0 || keyDer !== undefined)) return { ok: false, error: "Public keys can't be combined with certificates" };
  if (certs.length === 0 && publicKey === undefined) return { ok: false, error: 'Failed to decode certificate. It should be PEM encoded.' };
  let key: KeyObject | undefined;
  if (keyDer !== undefined) {
    key = privateKeyOf(keyDer);
    const leaf = certs[0];
    if (key === undefined || leaf === undefined) return { ok: false, error: 'Error while parsing certificate: tls: failed to parse private key' };
    if (!leaf.checkPrivateKey(key)) return { ok: false, error: 'Error while parsing certificate: tls: private key does not match public key' };
  }
  return { ok: true, value: { certs, key, publicKey } };
}

/**
 * Tyk's certificate ID without the org: SHA-256 hex of the leaf's DER, or of a lone public key's
 * DER (GetCertIDAndChainPEM).
 */
export function fingerprintOf(parsed: ParsedPem): string {
  const leaf = parsed.certs[0];
  if (leaf !== undefined) return sha256Hex(leaf.raw);
  return sha256Hex(parsed.publicKey?.export({ type: 'spki', format: 'der' }) ?? Buffer.alloc(0));
}

/** Whether a reference is inline PEM rather than an ID or a path (Tyk: contains `-----BEGIN `). */
export const isInlinePem = (reference: string): boolean => reference.includes('-----BEGIN ');

/** Whether a reference has the shape of a store ID (`<org><64 hex>`), rather than a file path. */
export const looksLikeCertId = (reference: string): boolean => /^[^/\\.]*[0-9a-f]{64}$/.test(reference) && !reference.includes('/');
