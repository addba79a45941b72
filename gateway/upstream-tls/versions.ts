/**
 * Tyk's TLS versions are Go's uint16 protocol numbers (tyk-config.md 3.1). Upstream defaults:
 * minimum 771 (TLS 1.2), maximum 772 (TLS 1.3), as Tyk's code resolves them (its docs say the
 * maximum is 1.2; the code wins, see docs/upstream-tls.md).
 */
export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

const NAMES: Readonly<Record<number, TlsVersionName>> = { 769: 'TLSv1', 770: 'TLSv1.1', 771: 'TLSv1.2', 772: 'TLSv1.3' };
/** OAS `tlsTransport.minVersion`/`maxVersion` spellings. */
const OAS: Readonly<Record<string, number>> = { '1.0': 769, '1.1': 770, '1.2': 771, '1.3': 772 };

export const DEFAULT_MIN_TLS = 771;
export const DEFAULT_MAX_TLS = 772;
export const TLS_VERSION_EXPECTATION = '0 (the default), 769 (TLS 1.0), 770 (TLS 1.1), 771 (TLS 1.2) or 772 (TLS 1.3)';

export function tlsVersionName(version: number): TlsVersionName {
  return NAMES[version] ?? 'TLSv1.2';
}

export function isTlsVersion(version: number): boolean {
  return version === 0 || NAMES[version] !== undefined;
}

/** "1.2" → 771; undefined for anything else. */
export function oasTlsVersion(value: string): number | undefined {
  return OAS[value];
}

const hex = (v: number) => `0x${v.toString(16)}`;

/**
 * Tyk's resolveTLSVersions (gateway/util.go): a side left at 0 takes its default, and a single
 * explicit side must be compatible with the other side's default. Returns the versions or Tyk's
 * error text.
 */
export function resolveTlsVersions(min: number, max: number): { min: number; max: number } | { error: string } {
  if (min > 0 && max === 0 && min > DEFAULT_MAX_TLS) {
    return { error: `provided minTLS (${min}) exceeds the default maximum TLS version (${DEFAULT_MAX_TLS}); provide both versions explicitly` };
  }
  if (max > 0 && min === 0 && max < DEFAULT_MIN_TLS) {
    return { error: `provided maxTLS (${max}) is lower than the default minimum TLS version (${DEFAULT_MIN_TLS}); provide both versions explicitly` };
  }
  const lo = min > 0 ? min : DEFAULT_MIN_TLS;
  const hi = max > 0 ? max : DEFAULT_MAX_TLS;
  if (lo > hi) return { error: `TLS validation error: minTLS (${hex(lo)} / ${lo}) cannot be greater than maxTLS (${hex(hi)} / ${hi})` };
  return { min: lo, max: hi };
}
