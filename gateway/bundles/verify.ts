import { createHash, createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject, type Verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HookgateError } from '../errors/index.js';
import type { BundleManifest } from './manifest.js';
import { unsafePathReason } from './zip-safety.js';

const failed = (reason: string, cause?: unknown) => new HookgateError('HG_ERR_BUNDLE_VERIFY', reason, { cause });

/** Go's text for the usual errno codes, so messages read like Tyk's ("open x: no such file or directory"). */
export function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw failed(`${what} ${path}: open: ${errnoText(err)}`, err);
  }
}

function requireRsa(key: KeyObject, path: string, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw failed(`${what} ${path} is an ${key.asymmetricKeyType ?? 'unknown'} key; bundle signatures are RSA`);
  return key;
}

/** The gateway's verification key: PEM `PUBLIC KEY` (PKIX) or `RSA PUBLIC KEY` (PKCS#1), RSA only. */
export async function loadPublicKey(path: string): Promise<KeyObject> {
  const pem = await readPem(path, 'public_key_path');
  if (!/-----BEGIN (RSA )?PUBLIC KEY-----/.test(pem)) throw failed(`public_key_path ${path} is not a PEM public key (PUBLIC KEY or RSA PUBLIC KEY)`);
  try {
    return requireRsa(createPublicKey(pem), path, 'public_key_path');
  } catch (err) {
    if (err instanceof HookgateError) throw err;
    throw failed(`public_key_path ${path}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/** The bundler's signing key: PEM `RSA PRIVATE KEY` (PKCS#1) or `PRIVATE KEY` (PKCS#8), RSA, unencrypted. */
export async function loadPrivateKey(path: string): Promise<KeyObject> {
  const pem = await readPem(path, 'key');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) throw failed(`key ${path} is encrypted; give an unencrypted PEM key`);
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) throw failed(`key ${path} is not a PEM private key (RSA PRIVATE KEY or PRIVATE KEY)`);
  try {
    return requireRsa(createPrivateKey(pem), path, 'key');
  } catch (err) {
    if (err instanceof HookgateError) throw err;
    throw failed(`key ${path}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/** RSA PKCS#1 v1.5 over SHA-256, base64 (what Tyk's goverify Sign does). */
export function signBundle(data: Uint8Array, key: KeyObject): string {
  return createSign('sha256').update(data).sign(key).toString('base64');
}

/** MD5 of the listed files concatenated in order, and a SHA-256 verifier fed the same bytes. */
export async function digestListedFiles(dir: string, fileList: readonly string[]): Promise<{ md5: string; verifier: Verify }> {
  const md5 = createHash('md5');
  const verifier = createVerify('sha256');
  for (const file of fileList) {
    const unsafe = unsafePathReason(file);
    if (unsafe !== undefined) throw failed(`file_list entry ${JSON.stringify(file)} has ${unsafe}`);
    const path = join(dir, file);
    try {
      for await (const chunk of createReadStream(path)) {
        md5.update(chunk as Buffer);
        verifier.update(chunk as Buffer);
      }
    } catch (err) {
      throw failed(`open ${path}: ${errnoText(err)}`, err);
    }
  }
  return { md5: md5.digest('hex'), verifier };
}

/** Go's base64.StdEncoding is strict: padding required, nothing outside the alphabet. */
function decodeSignature(signature: string): Buffer {
  if (signature.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(signature)) throw failed('the signature is not valid base64');
  return Buffer.from(signature, 'base64');
}

/** The public key, loaded on first use; `configured` is false without public_key_path. */
export interface VerifyKey {
  readonly configured: boolean;
  get(): Promise<KeyObject>;
}

async function checkContents(dir: string, manifest: BundleManifest, key: VerifyKey): Promise<void> {
  const { md5, verifier } = await digestListedFiles(dir, manifest.fileList);
  if (md5 !== manifest.checksum) throw failed('invalid checksum');
  if (!key.configured) return;
  const signature = decodeSignature(manifest.signature);
  if (!verifier.verify(await key.get(), signature)) throw failed('crypto/rsa: verification error');
}

/**
 * Tyk's DeepVerify, for a bundle just downloaded: refused when a key is set and it is unsigned;
 * the checksum always; the signature when a key is set.
 */
export async function deepVerify(dir: string, manifest: BundleManifest, key: VerifyKey): Promise<void> {
  if (key.configured && manifest.signature === '') throw failed("Bundle isn't signed");
  await checkContents(dir, manifest, key);
}

/**
 * Tyk's PartialVerify, for a folder already in the cache: nothing with
 * skip_verify_existing_plugin_bundle; otherwise as DeepVerify. Tyk checks nothing at all for an
 * unsigned cached bundle, even with a key set; Hookgate refuses it when a key is set (a key means
 * only signed code runs) and checks its checksum otherwise (cheap, and it catches a half-copied
 * or edited folder).
 */
export async function partialVerify(dir: string, manifest: BundleManifest, key: VerifyKey, skip: boolean): Promise<void> {
  if (skip) return;
  await deepVerify(dir, manifest, key);
}
