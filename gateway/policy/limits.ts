import type { AccessDefinitionJson, SessionJson } from '../session/index.js';

/**
 * The numbers of an API limit (Tyk's APILimit) as policy application works on them. `set_by`
 * (Tyk's `SetBy`, never stored) says which policy or API set the limit while policies merge.
 */
export interface Limit {
  rate: number;
  per: number;
  quota_max: number;
  quota_renewal_rate: number;
  quota_renews: number;
  quota_remaining: number;
  set_by: string;
}

/** An access right while policies merge: the stored entry and its limit as numbers. */
export interface Right {
  entry: AccessDefinitionJson;
  limit: Limit;
}

const NUMBERS = ['rate', 'per', 'quota_max', 'quota_renewal_rate', 'quota_renews', 'quota_remaining'] as const;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export const emptyLimit = (): Limit => ({ rate: 0, per: 0, quota_max: 0, quota_renewal_rate: 0, quota_renews: 0, quota_remaining: 0, set_by: '' });

export function limitOf(raw: Record<string, unknown> | null | undefined): Limit {
  const limit = emptyLimit();
  for (const key of NUMBERS) limit[key] = num(raw?.[key]);
  return limit;
}

/** Tyk's APILimit.IsEmpty. */
export const isEmptyLimit = (l: Limit): boolean => NUMBERS.every((key) => l[key] === 0) && l.set_by === '';

/** Seconds between requests; 0 when the rate is off (Tyk's RateLimit.Duration). */
export const duration = (rate: number, per: number): number => (per <= 0 || rate <= 0 ? 0 : per / rate);

/** Tyk's greaterThanInt64: -1 is unlimited, the largest value. */
export function greater(first: number, second: number): boolean {
  if (first === -1) return true;
  if (second === -1) return false;
  return first > second;
}

/** The limit as Tyk stores it (zero fields left out, `set_by` never stored). */
export function storedLimit(limit: Limit, base: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const key of NUMBERS) {
    if (limit[key] === 0) delete out[key];
    else out[key] = limit[key];
  }
  return out;
}

/** The session's own limits, as a Limit (Tyk's SessionState.APILimit). */
export const sessionLimit = (s: SessionJson): Limit => ({
  ...emptyLimit(),
  rate: num(s.rate),
  per: num(s.per),
  quota_max: num(s.quota_max),
  quota_renewal_rate: num(s.quota_renewal_rate),
  quota_renews: num(s.quota_renews),
  quota_remaining: num(s.quota_remaining),
});
