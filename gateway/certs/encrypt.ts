import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { toPem, type PemBlock } from './pem.js';

/**
 * Private keys in the certificate store are kept as Tyk keeps them, so a store shared with Tyk
 * reads both ways: an `ENCRYPTED PRIVATE KEY` block in the legacy RFC 1423 form of Go's
 * x509.EncryptPEMBlock (AES-256-CBC, key derived from the secret with MD5 over `secret || salt`,
 * the IV's first 8 bytes as salt), encrypted with `security.private_certificate_encoding_secret`,
 * else `secret`.
 */

function deriveKey(password: Buffer, salt: Buffer, size: number): Buffer {
  const out = Buffer.alloc(size);
  let digest = Buffer.alloc(0);
  for (let filled = 0; filled < size; filled += digest.length) {
    digest = createHash('md5').update(digest).update(password).update(salt).digest();
    digest.copy(out, filled);
  }
  return out;
}

export function encryptKeyBlock(der: Buffer, secret: string): string {
  const iv = randomBytes(16);
  const key = deriveKey(Buffer.from(secret, 'utf8'), iv.subarray(0, 8), 32);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(der), cipher.final()]);
  return toPem('ENCRYPTED PRIVATE KEY', encrypted, { 'Proc-Type': '4,ENCRYPTED', 'DEK-Info': `AES-256-CBC,${iv.toString('hex')}` });
}

/** The key's DER, or undefined when the block is not this form or the secret is wrong. */
export function decryptKeyBlock(block: PemBlock, secret: string): Buffer | undefined {
  const info = /^AES-256-CBC,([0-9a-fA-F]{32})$/.exec(block.headers['DEK-Info'] ?? '');
  if (info === null) return undefined;
  const iv = Buffer.from(info[1] ?? '', 'hex');
  try {
    const decipher = createDecipheriv('aes-256-cbc', deriveKey(Buffer.from(secret, 'utf8'), iv.subarray(0, 8), 32), iv);
    return Buffer.concat([decipher.update(block.der), decipher.final()]);
  } catch {
    return undefined;
  }
}
