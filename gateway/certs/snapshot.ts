import { spkiSha256, type CertificateLookup, type ResolvedCertificate, type StoreSnapshot } from '../crypto/index.js';
import type { Certificate } from './certificate.js';
import type { CertificateStore } from './store.js';

/** A store certificate as load-time resolvers give it (plain data, for frozen definitions). */
export function resolvedOf(cert: Certificate): ResolvedCertificate {
  return {
    label: `certificate-store ID ${JSON.stringify(cert.id)}`,
    certificatePem: cert.certPem,
    privateKeyPem: cert.keyPem,
    publicKeySha256: cert.certs.length === 0 ? [cert.publicKeyFingerprint] : cert.certs.map((c) => spkiSha256(c.publicKey)),
    commonName: /(?:^|\n)CN=([^\n]*)/.exec(cert.leaf?.subject ?? '')?.[1],
  };
}

/**
 * Reads `ids` from the certificate store, now: what API definitions are resolved against
 * (`storeBackedResolver`). An ID the store does not have, or could not be read, says why; with
 * `throwOnStorageError`, storage that cannot be read is an error instead (a reload then keeps the
 * APIs that serve, rather than refusing those that name store IDs).
 */
export async function readStoreSnapshot(certs: CertificateStore, ids: Iterable<string>, throwOnStorageError = false): Promise<StoreSnapshot> {
  const snapshot = new Map<string, CertificateLookup>();
  let storageError: Error | undefined;
  await Promise.all(
    [...ids].map(async (id) => {
      try {
        const cert = await certs.get(id);
        snapshot.set(id, cert === undefined
          ? { ok: false, problem: `certificate-store ID ${JSON.stringify(id)} is not in the certificate store (add it with POST /tyk/certs, then reload)` }
          : { ok: true, value: resolvedOf(cert) });
      } catch (err) {
        storageError ??= err as Error;
        snapshot.set(id, { ok: false, problem: `certificate-store ID ${JSON.stringify(id)} could not be read from storage: ${(err as Error).message}` });
      }
    }),
  );
  if (storageError !== undefined && throwOnStorageError) {
    throw new Error(`the certificate store could not be read (${storageError.message}); the API definitions are not reloaded, the current ones keep serving`);
  }
  return snapshot;
}
