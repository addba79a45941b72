import { getCiphers } from 'node:tls';

/**
 * Go's cipher suite names (crypto/tls CipherSuites and InsecureCipherSuites, what Tyk's
 * `ssl_ciphers` takes) and OpenSSL's names for the same suites (what node's `ciphers` takes).
 * Names match case-insensitively, as in Tyk.
 */
const GO_TO_OPENSSL: Record<string, string> = {
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
  // Go's legacy aliases, accepted by Tyk (getCipherAliases).
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};

/** TLS 1.3 suites: Go accepts their names but never restricts TLS 1.3 with them; neither does Hookgate. */
const TLS13 = new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);

/** The TLS 1.3 suites node offers by default, kept in front of any TLS 1.2 list. */
const TLS13_DEFAULT = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

export interface CipherResolution {
  /** The OpenSSL cipher string for node, or undefined for node's defaults. */
  readonly openssl: string | undefined;
  /** Go names this gateway does not know. */
  readonly unknown: readonly string[];
  /** Go names of suites node's OpenSSL does not offer (RC4, 3DES). */
  readonly unavailable: readonly string[];
  /** TLS 1.3 names given, which restrict nothing. */
  readonly tls13: readonly string[];
}

export function resolveCiphers(names: readonly string[]): CipherResolution {
  const available = new Set(getCiphers().map((c) => c.toUpperCase()));
  const openssl: string[] = [];
  const unknown: string[] = [];
  const unavailable: string[] = [];
  const tls13: string[] = [];
  for (const name of names) {
    const upper = name.trim().toUpperCase();
    if (TLS13.has(upper)) {
      tls13.push(name);
      continue;
    }
    const mapped = GO_TO_OPENSSL[upper];
    if (mapped === undefined) unknown.push(name);
    else if (!available.has(mapped)) unavailable.push(name);
    else if (!openssl.includes(mapped)) openssl.push(mapped);
  }
  return { openssl: openssl.length === 0 ? undefined : `${TLS13_DEFAULT}:${openssl.join(':')}`, unknown, unavailable, tls13 };
}
