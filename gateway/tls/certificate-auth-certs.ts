import type { ApiSpec } from '../apidef/index.js';
import type { Certificate, CertificateStore } from '../certs/index.js';
import type { SessionStore } from '../session/index.js';

/**
 * The certificates that certificate auth (dynamic mTLS) can accept, by API: for each org with a
 * certificate-auth API, the certificates in the store that a key is linked to (a session stored
 * under the certificate's ID). They are nowhere in the API definitions, so the expiry monitor
 * reads them from storage on each check. Every certificate-auth API of the org gets them: a key's
 * access rights (and its policies') are not read here.
 */
export async function certificateAuthCertificates(apis: readonly ApiSpec[], certs: CertificateStore, sessions: SessionStore): Promise<Map<ApiSpec, Certificate[]>> {
  const byOrg = new Map<string, ApiSpec[]>();
  for (const api of apis) {
    if (api.tls.certificateAuth) byOrg.set(api.orgId, [...(byOrg.get(api.orgId) ?? []), api]);
  }
  const result = new Map<ApiSpec, Certificate[]>();
  for (const [orgId, orgApis] of byOrg) {
    const linked: Certificate[] = [];
    for (const id of await certs.list(orgId)) {
      if ((await sessions.find(orgId, id)) === undefined) continue;
      const cert = await certs.get(id);
      if (cert !== undefined) linked.push(cert);
    }
    for (const api of orgApis) result.set(api, linked);
  }
  return result;
}
