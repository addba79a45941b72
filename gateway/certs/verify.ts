import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { isExpired, notYetValid, type Certificate } from './certificate.js';
import { sha256Hex } from './pem.js';

/** What the client presented on its TLS connection. */
export type PeerCertificates =
  | { readonly kind: 'no_tls' }
  | { readonly kind: 'none' }
  | { readonly kind: 'presented'; readonly leaf: X509Certificate; readonly fingerprint: string; readonly intermediates: readonly X509Certificate[] };

/**
 * A resumed TLS session keeps the client's leaf but not the other certificates it sent, so the
 * ones seen at each leaf's last full handshake are remembered (bounded). They only ever serve to
 * build a chain whose every signature is checked, so a stale entry can grant nothing.
 */
const chainMemory = new Map<string, readonly X509Certificate[]>();
const CHAIN_MEMORY_MAX = 10_000;

function rememberChain(fingerprint: string, intermediates: readonly X509Certificate[]): void {
  chainMemory.delete(fingerprint);
  chainMemory.set(fingerprint, intermediates);
  if (chainMemory.size > CHAIN_MEMORY_MAX) chainMemory.delete(chainMemory.keys().next().value as string);
}

const NO_TLS: PeerCertificates = { kind: 'no_tls' };
const NONE: PeerCertificates = { kind: 'none' };
const perSocket = new WeakMap<object, PeerCertificates>();

/**
 * The client certificate of a connection: its leaf (whose private key the handshake proved the
 * client holds) and the other certificates it sent, which are only path-building material.
 * Read once per connection.
 */
export function peerCertificates(socket: Socket): PeerCertificates {
  const tls = socket as Partial<TLSSocket>;
  if (tls.encrypted !== true || typeof tls.getPeerCertificate !== 'function') return NO_TLS;
  const cached = perSocket.get(socket);
  if (cached !== undefined) return cached;
  let result: PeerCertificates = NONE;
  // Only the detailed form carries the chain (node 20 drops it once getPeerX509Certificate was called).
  let node: DetailedPeerCertificate | undefined = tls.getPeerCertificate(true);
  if (node?.raw !== undefined) {
    const leaf = new X509Certificate(node.raw);
    const intermediates: X509Certificate[] = [];
    const seen = new Set([leaf.fingerprint256]);
    for (let depth = 0; node !== undefined && depth < 10; depth++) {
      const next: typeof node | undefined = node.issuerCertificate;
      if (next === undefined || next === node || next.raw === undefined) break;
      const cert = new X509Certificate(next.raw);
      if (seen.has(cert.fingerprint256)) break;
      seen.add(cert.fingerprint256);
      intermediates.push(cert);
      node = next;
    }
    const fingerprint = sha256Hex(leaf.raw);
    const resumed = tls.isSessionReused?.() === true;
    if (!resumed && intermediates.length > 0) rememberChain(fingerprint, intermediates);
    const chain = resumed && intermediates.length === 0 ? (chainMemory.get(fingerprint) ?? []) : intermediates;
    result = { kind: 'presented', leaf, fingerprint, intermediates: chain };
  }
  perSocket.set(socket, result);
  return result;
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';
const usableNow = (cert: X509Certificate, now: number) => !isExpired(cert, now) && !notYetValid(cert, now);
const signedBy = (cert: X509Certificate, issuer: X509Certificate) => cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

/**
 * Whether `leaf` chains to the CA `anchor`: directly, or through the certificates the client sent
 * (each a CA within its validity, signature checked). The leaf must allow client authentication
 * (extendedKeyUsage clientAuth, anyExtendedKeyUsage, or none).
 */
export function chainsTo(leaf: X509Certificate, intermediates: readonly X509Certificate[], anchor: X509Certificate, now = Date.now()): boolean {
  if (!anchor.ca || !usableNow(anchor, now)) return false;
  const eku = leaf.keyUsage;
  if (eku !== undefined && eku.length > 0 && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_EKU)) return false;
  const visit = (cert: X509Certificate, depth: number, used: Set<X509Certificate>): boolean => {
    if (signedBy(cert, anchor)) return true;
    if (depth >= 8) return false;
    for (const next of intermediates) {
      if (used.has(next) || !next.ca || !usableNow(next, now) || !signedBy(cert, next)) continue;
      if (visit(next, depth + 1, new Set([...used, next]))) return true;
    }
    return false;
  };
  return visit(leaf, 0, new Set());
}

export type AllowListCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * The static client-certificate check (Tyk's ValidateRequestCerts, tyk-config.md 3.7), without
 * its weakness: only the leaf (the certificate the handshake proved the client owns) is matched.
 * It passes when the leaf is an allow-listed certificate (same SHA-256), or chains to an
 * allow-listed CA. Texts are Tyk's: `TLS not enabled`, `Client TLS certificate is required`,
 * `Certificate has expired`, `Certificate with SHA256 <hex> not allowed`.
 */
export function checkAllowList(peer: PeerCertificates, allowed: readonly Certificate[], now = Date.now()): AllowListCheck {
  if (peer.kind === 'no_tls') return { ok: false, message: 'TLS not enabled' };
  if (peer.kind === 'none') return { ok: false, message: 'Client TLS certificate is required' };
  if (!usableNow(peer.leaf, now)) return { ok: false, message: 'Certificate has expired' };
  for (const entry of allowed) {
    if (entry.leaf !== undefined && entry.fingerprint === peer.fingerprint) return { ok: true };
  }
  for (const entry of allowed) {
    if (entry.leaf !== undefined && entry.isCa && chainsTo(peer.leaf, peer.intermediates, entry.leaf, now)) return { ok: true };
  }
  return { ok: false, message: `Certificate with SHA256 ${peer.fingerprint} not allowed` };
}
