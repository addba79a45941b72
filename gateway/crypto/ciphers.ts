/**
 * Tyk's cipher settings (`ssl_ciphers`, `proxy_ssl_ciphers`, `proxy.transport.ssl_ciphers`,
 * `upstream.tlsTransport.ciphers`) hold Go's names, which are the IANA names. Node's TLS is
 * OpenSSL, which has names of its own; this is the mapping, for every suite Go knows.
 */
const TLS12: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  // Go's legacy aliases, which Tyk accepts (internal/crypto/ciphers.go).
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};

/** TLS 1.3 suites: Go accepts the names but never restricts 1.3 with them, and neither do we. */
const TLS13 = new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);

/** OpenSSL's default TLS 1.3 suites, kept in every list so a TLS 1.2 cipher list never turns 1.3 off (Go's behaviour). */
export const TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

export interface CipherList {
  /** The OpenSSL cipher string for Node's `ciphers`, or undefined when the list was empty (defaults). */
  readonly openssl: string | undefined;
  /** Names that are not Go cipher suites, as written. */
  readonly unknown: readonly string[];
}

/** Go cipher names (case-insensitive, as Tyk) to an OpenSSL cipher string. */
export function openSslCiphers(names: readonly string[]): CipherList {
  const unknown: string[] = [];
  const tls12: string[] = [];
  for (const name of names) {
    const upper = name.trim().toUpperCase();
    const mapped = TLS12[upper];
    if (mapped !== undefined) {
      if (!tls12.includes(mapped)) tls12.push(mapped);
    } else if (!TLS13.has(upper)) {
      unknown.push(name);
    }
  }
  if (names.length === 0) return { openssl: undefined, unknown };
  // Only TLS 1.3 names: like Go, TLS 1.2 has no suite left; Node then negotiates 1.3 only.
  return { openssl: [...tls12, TLS13_SUITES].join(':'), unknown };
}

/** Every Go name this mapping knows, for messages. */
export function knownCipherNames(): string[] {
  return [...Object.keys(TLS12), ...TLS13];
}
