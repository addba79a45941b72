import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { Store } from '../storage/index.js';
import { certificateOf, isExpired, type Certificate } from './certificate.js';
import { decryptKeyBlock, encryptKeyBlock } from './encrypt.js';
import { fingerprintOf, isInlinePem, parsePem, pemBlocks, sha256Hex, toPem, type PemParse } from './pem.js';

/** Tyk's storage layout: `cert-raw-<id>`, no TTL (tyk-config.md 3.2). */
export const CERT_PREFIX = 'cert-raw-';

/** How long a resolved reference is reused before storage or the file is read again. */
const CACHE_MS = 30_000;

export type AddResult = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly error: string };

export interface CertificateStoreOptions {
  /** Encrypts private keys at rest: `security.private_certificate_encoding_secret`, else `secret`. */
  readonly secret: string;
  /** Where relative file references resolve (the config file's folder). */
  readonly baseDir: string;
}

/**
 * The certificate store (Tyk's certs.CertificateManager): certificates and key pairs in the
 * gateway's storage, shared by every gateway process on it, plus references to PEM files and
 * inline PEM. `resolve` is what the rest of the gateway calls; docs/tls.md describes the interface.
 */
export class CertificateStore {
  private readonly cache = new Map<string, { readonly at: number; readonly value: Certificate | undefined }>();

  constructor(
    readonly store: Store,
    private readonly options: CertificateStoreOptions,
  ) {}

  private parseStored(text: string): PemParse {
    return parsePem(text, (block) => decryptKeyBlock(block, this.options.secret));
  }

  /**
   * Adds a PEM (certificate, certificate + key, chain, or a public key) under `<org><sha256>`.
   * Refused, with Tyk's texts: not PEM, expired, a key that does not match, a duplicate.
   */
  async add(pem: string, orgId: string): Promise<AddResult> {
    const parsed = parsePem(pem);
    if (!parsed.ok) return parsed;
    const leaf = parsed.value.certs[0];
    if (leaf !== undefined && isExpired(leaf)) return { ok: false, error: 'certificate is expired' };
    const id = orgId + fingerprintOf(parsed.value);
    if ((await this.store.get(CERT_PREFIX + id)) !== null) return { ok: false, error: `Certificate with ${id} id already exists` };
    let stored = parsed.value.certs.map((c) => toPem('CERTIFICATE', c.raw)).join('');
    if (parsed.value.publicKey !== undefined) stored = toPem('PUBLIC KEY', parsed.value.publicKey.export({ type: 'spki', format: 'der' }));
    if (parsed.value.key !== undefined) {
      const keyBlock = pemBlocks(pem).find((b) => b.label.endsWith('PRIVATE KEY'));
      stored += encryptKeyBlock(keyBlock?.der ?? parsed.value.key.export({ type: 'pkcs8', format: 'der' }), this.options.secret);
    }
    await this.store.set(CERT_PREFIX + id, stored);
    this.cache.delete(id);
    return { ok: true, id };
  }

  /** A stored certificate by ID, read from storage now (no cache). */
  async get(id: string): Promise<Certificate | undefined> {
    if (id === '') return undefined;
    const raw = await this.store.get(CERT_PREFIX + id);
    if (raw === null) return undefined;
    const parsed = this.parseStored(raw);
    return parsed.ok ? certificateOf(id, parsed.value) : undefined;
  }

  async exists(id: string): Promise<boolean> {
    return id !== '' && (await this.store.get(CERT_PREFIX + id)) !== null;
  }

  /** IDs in the store: those of one org (`<org><64 hex>`), or every one when `orgId` is "". */
  async list(orgId: string): Promise<string[]> {
    const keys = await this.store.listKeys(CERT_PREFIX + orgId);
    return keys
      .map((key) => key.slice(CERT_PREFIX.length))
      .filter((id) => orgId === '' || (id.length === orgId.length + 64 && /^[0-9a-f]{64}$/.test(id.slice(orgId.length))))
      .sort();
  }

  async remove(id: string): Promise<void> {
    await this.store.delete(CERT_PREFIX + id);
    this.cache.delete(id);
  }

  /**
   * A certificate by reference, as Tyk resolves `ssl_certificates`, allow lists and upstream
   * certificates: inline PEM, else a store ID, else a PEM file. Undefined when none of these
   * holds a readable certificate. Results are reused for 30 s.
   */
  async resolve(reference: string): Promise<Certificate | undefined> {
    const key = isInlinePem(reference) ? `embedded-pem-${sha256Hex(reference)}` : reference;
    const cached = this.cache.get(key);
    if (cached !== undefined && Date.now() - cached.at < CACHE_MS) return cached.value;
    const value = await this.load(reference);
    this.cache.set(key, { at: Date.now(), value });
    return value;
  }

  /** Every reference that resolves, in order; the ones that do not are returned apart. */
  async resolveAll(references: readonly string[]): Promise<{ found: Certificate[]; missing: string[] }> {
    const found: Certificate[] = [];
    const missing: string[] = [];
    for (const reference of references) {
      const cert = await this.resolve(reference);
      if (cert === undefined) missing.push(reference);
      else found.push(cert);
    }
    return { found, missing };
  }

  /** Forgets resolved references (after a reload, or when the store changed). */
  clearCache(): void {
    this.cache.clear();
  }

  private async load(reference: string): Promise<Certificate | undefined> {
    if (isInlinePem(reference)) {
      const parsed = parsePem(reference);
      return parsed.ok ? certificateOf(`embedded-pem-${sha256Hex(reference)}`, parsed.value) : undefined;
    }
    const stored = await this.get(reference).catch(() => undefined);
    if (stored !== undefined) return stored;
    const path = isAbsolute(reference) ? reference : resolvePath(this.options.baseDir, reference);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const parsed = parsePem(text);
    return parsed.ok ? certificateOf(reference, parsed.value) : undefined;
  }
}
