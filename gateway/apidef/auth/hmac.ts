import type { Problem } from '../../validation/index.js';
import type { ApiDefinition } from '../schema.js';

/** The HMAC algorithms Hookgate computes, and the node:crypto digest of each (tyk-config.md 1.6). */
export const HMAC_ALGORITHMS = {
  'hmac-sha1': 'sha1',
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
} as const;

export type HmacAlgorithm = keyof typeof HMAC_ALGORITHMS;

export const isHmacAlgorithm = (name: string): name is HmacAlgorithm => Object.hasOwn(HMAC_ALGORITHMS, name);

/** Tyk's RSA signatures (`rsa-sha256`, and any `rsa*` name): they need the certificate store. */
export const isRsaAlgorithm = (name: string): boolean => name.startsWith('rsa');

/** An API's HMAC settings, checked and compiled once at load. */
export interface HmacSettings {
  /** `hmac_allowed_algorithms`; empty means every algorithm Hookgate computes. */
  readonly allowedAlgorithms: ReadonlySet<HmacAlgorithm>;
  /** `hmac_allowed_clock_skew` in ms; 0 or less: the Date is parsed but not compared to now. */
  readonly clockSkewMs: number;
}

export type HmacSettingsResult = { readonly ok: true; readonly settings: HmacSettings } | { readonly ok: false; readonly errors: readonly Problem[] };

const KNOWN = Object.keys(HMAC_ALGORITHMS).join(', ');

/**
 * Checks `hmac_allowed_algorithms` and `hmac_allowed_clock_skew`. Where Tyk computes any name it
 * does not know as HMAC-SHA1 (quirk 3), an unknown name is refused here, naming the entry, so a
 * typo cannot silently turn into a weaker algorithm. `rsa*` names need the certificate store,
 * which Hookgate does not have yet: refused rather than allowed and always failing.
 */
export function compileHmacSettings(def: ApiDefinition): HmacSettingsResult {
  const errors: Problem[] = [];
  const allowed = new Set<HmacAlgorithm>();
  (def.hmac_allowed_algorithms ?? []).forEach((name, index) => {
    const path = `hmac_allowed_algorithms[${index}]`;
    if (isHmacAlgorithm(name)) allowed.add(name);
    else if (isRsaAlgorithm(name)) {
      errors.push({ path, message: `\`${path}\`: ${JSON.stringify(name)} is an RSA signature, which needs the certificate store; Hookgate does not support RSA signatures yet, so the API is refused rather than served without them` });
    } else {
      errors.push({ path, message: `\`${path}\`: unknown algorithm ${JSON.stringify(name)} (Tyk would compute it as HMAC-SHA1); expected one of ${KNOWN}` });
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, settings: { allowedAlgorithms: allowed, clockSkewMs: def.hmac_allowed_clock_skew } };
}

/** An algorithm a request names: usable, or why not. */
export function hmacAlgorithmOf(settings: HmacSettings, name: string): HmacAlgorithm | 'rsa' | 'unknown' | 'not_allowed' {
  const allowed = settings.allowedAlgorithms;
  if (allowed.size > 0 && !allowed.has(name as HmacAlgorithm)) return 'not_allowed';
  if (isRsaAlgorithm(name)) return 'rsa';
  return isHmacAlgorithm(name) ? name : 'unknown';
}
