import type { X509Certificate } from 'node:crypto';
import type { Certificate } from './certificate.js';

/**
 * The JSON shapes of Tyk's /tyk/certs answers: certs.CertificateMeta and certs.CertificateBasics
 * (tyk-config.md 4.6), with Go's encoding: nil slices as null, times in RFC 3339, `issuer` and
 * `subject` as pkix.Name objects.
 */

const ATTRIBUTES: Record<string, { readonly field: string; readonly oid: readonly number[] }> = {
  C: { field: 'Country', oid: [2, 5, 4, 6] },
  O: { field: 'Organization', oid: [2, 5, 4, 10] },
  OU: { field: 'OrganizationalUnit', oid: [2, 5, 4, 11] },
  L: { field: 'Locality', oid: [2, 5, 4, 7] },
  ST: { field: 'Province', oid: [2, 5, 4, 8] },
  street: { field: 'StreetAddress', oid: [2, 5, 4, 9] },
  postalCode: { field: 'PostalCode', oid: [2, 5, 4, 17] },
  serialNumber: { field: 'SerialNumber', oid: [2, 5, 4, 5] },
  CN: { field: 'CommonName', oid: [2, 5, 4, 3] },
};

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** A pkix.Name as Go's encoding/json writes it, from node's `CN=...\nO=...` text. */
export function pkixName(text: string | undefined): Record<string, unknown> {
  const name: Record<string, unknown> = {
    Country: null, Organization: null, OrganizationalUnit: null, Locality: null, Province: null,
    StreetAddress: null, PostalCode: null, SerialNumber: '', CommonName: '', Names: null, ExtraNames: null,
  };
  const names: { Type: readonly number[]; Value: string }[] = [];
  for (const line of (text ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const attribute = ATTRIBUTES[line.slice(0, eq)];
    const value = line.slice(eq + 1);
    if (attribute === undefined) continue;
    names.push({ Type: attribute.oid, Value: value });
    if (attribute.field === 'CommonName' || attribute.field === 'SerialNumber') name[attribute.field] = value;
    else name[attribute.field] = [...((name[attribute.field] as string[] | null) ?? []), value];
  }
  if (names.length > 0) name['Names'] = names;
  return name;
}

const commonName = (text: string | undefined): string => /(?:^|\n)CN=([^\n]*)/.exec(text ?? '')?.[1] ?? '';
const rfc3339 = (date: Date | undefined): string => (date === undefined ? ZERO_TIME : date.toISOString().replace(/\.\d{3}Z$/, 'Z'));
const dnsNames = (cert: Certificate): string[] | null => (cert.leaf === undefined ? null : rawDnsNames(cert.leaf));

function rawDnsNames(leaf: X509Certificate): string[] | null {
  const names = (leaf.subjectAltName ?? '').split(/,\s*/).filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4));
  return names.length === 0 ? null : names;
}

/** GET /tyk/certs/<id>. `fingerprint` is "" for a lone public key, as in Tyk. */
export function certificateMeta(cert: Certificate): Record<string, unknown> {
  return {
    id: cert.id,
    fingerprint: cert.leaf === undefined ? '' : cert.fingerprint,
    has_private: cert.hasPrivate,
    issuer: pkixName(cert.leaf?.issuer),
    subject: pkixName(cert.leaf?.subject),
    not_before: rfc3339(cert.notBefore),
    not_after: rfc3339(cert.notAfter),
    dns_names: dnsNames(cert),
    is_ca: cert.isCa,
  };
}

/** One entry of GET /tyk/certs?mode=detailed. */
export function certificateBasics(cert: Certificate): Record<string, unknown> {
  return {
    id: cert.id,
    issuer_cn: commonName(cert.leaf?.issuer),
    subject_cn: commonName(cert.leaf?.subject),
    dns_names: dnsNames(cert),
    has_private: cert.hasPrivate,
    not_before: rfc3339(cert.notBefore),
    not_after: rfc3339(cert.notAfter),
    is_ca: cert.isCa,
  };
}
