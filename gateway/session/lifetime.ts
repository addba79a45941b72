import type { SessionJson } from './model.js';

export interface LifetimeSettings {
  /** The API's `session_lifetime` (seconds; 0 = none). */
  readonly apiSessionLifetime: number;
  /** `session_lifetime_respects_key_expiration` (API or gateway). */
  readonly respectsKeyExpiration: boolean;
  /** `force_global_session_lifetime` and `global_session_lifetime`. */
  readonly forceGlobal: boolean;
  readonly globalSessionLifetime: number;
}

/**
 * How long a stored session lives (its Redis TTL in seconds; 0 = no TTL, -1 = never delete),
 * as Tyk's `SessionState.Lifetime` computes it (protocol.md 2.9).
 */
export function sessionLifetime(session: SessionJson, settings: LifetimeSettings, nowSeconds = Math.floor(Date.now() / 1000)): number {
  if (settings.forceGlobal) return settings.globalSessionLifetime;
  const expires = session.expires ?? 0;
  const action = session.post_expiry_action ?? '';
  const grace = session.post_expiry_grace_period ?? 0;
  if (action === 'delete' || (action === 'retain' && grace !== 0)) {
    if (expires <= 0) return 0;
    if (action === 'delete') return Math.max(1, expires - nowSeconds);
    if (grace === -1) return -1;
    return Math.max(1, expires - nowSeconds + grace);
  }
  const fromLifetime = (lifetime: number): number => {
    if (!settings.respectsKeyExpiration) return lifetime;
    if (expires <= 0) return expires;
    return expires > nowSeconds + lifetime ? expires - nowSeconds : lifetime;
  };
  const own = session.session_lifetime ?? 0;
  if (own > 0) return fromLifetime(own);
  if (settings.apiSessionLifetime > 0) return fromLifetime(settings.apiSessionLifetime);
  return 0;
}
