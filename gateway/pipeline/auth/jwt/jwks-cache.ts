import type { JWK } from 'jose';

export interface JwksSettings {
  /** How long a fetched set is used when the API gives no cache_timeout (tyk.conf jwks.cache.timeout; Tyk's 240 s). */
  readonly defaultTtlMs: number;
  /** A fetch that takes longer fails. */
  readonly fetchTimeoutMs: number;
  /** At most one fetch per URL in this time for an unknown `kid` or after a failure. */
  readonly minRefetchIntervalMs: number;
  /** How long past its TTL a set is still used while the IdP cannot be reached. */
  readonly maxStaleMs: number;
}

export const DEFAULT_JWKS_SETTINGS: JwksSettings = { defaultTtlMs: 240_000, fetchTimeoutMs: 5_000, minRefetchIntervalMs: 10_000, maxStaleMs: 3_600_000 };

/** The largest JWKS document read. */
const MAX_BYTES = 1024 * 1024;

interface Entry {
  keys: readonly JWK[];
  fetchedAt: number;
}

interface State {
  entry: Entry | undefined;
  lastAttemptAt: number;
  inflight: Promise<void> | undefined;
}

export type JwksLookup = { readonly kind: 'found'; readonly jwk: JWK } | { readonly kind: 'unknown_kid' } | { readonly kind: 'unavailable'; readonly reason: string };

type Warn = (key: string, fields: Record<string, unknown>, message: string) => void;

/**
 * JWKS by URL, shared by every API. A set is used for its TTL; an unknown `kid` refetches at
 * once (key rotation) but at most once per `minRefetchIntervalMs`, so tokens with made-up kids
 * cannot make the gateway hammer the IdP; concurrent fetches of one URL are one fetch. While the
 * IdP fails, the last set is used up to `maxStaleMs` past its TTL, then lookups fail (closed).
 */
export class JwksCache {
  readonly #states = new Map<string, State>();

  constructor(
    readonly settings: JwksSettings,
    private readonly warn: Warn,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forgets every set (a reload refetches). */
  clear(): void {
    this.#states.clear();
  }

  async find(url: string, kid: string, ttlMs = this.settings.defaultTtlMs): Promise<JwksLookup> {
    const state = this.#state(url);
    const fresh = () => state.entry !== undefined && this.now() - state.entry.fetchedAt < ttlMs;
    const mayFetch = () => this.now() - state.lastAttemptAt >= this.settings.minRefetchIntervalMs;
    if (!fresh() && mayFetch()) await this.#fetch(url, state);
    let jwk = keyFor(state.entry, kid);
    if (jwk === undefined && fresh() && mayFetch()) {
      // A kid the set does not have: the IdP may have rotated its keys.
      await this.#fetch(url, state);
      jwk = keyFor(state.entry, kid);
    }
    const entry = state.entry;
    if (entry === undefined) return { kind: 'unavailable', reason: 'the JWKS could not be fetched' };
    if (this.now() - entry.fetchedAt >= ttlMs + this.settings.maxStaleMs) return { kind: 'unavailable', reason: 'the JWKS could not be refreshed and the last one is too old to use' };
    return jwk === undefined ? { kind: 'unknown_kid' } : { kind: 'found', jwk };
  }

  #state(url: string): State {
    let state = this.#states.get(url);
    if (state === undefined) {
      state = { entry: undefined, lastAttemptAt: -Infinity, inflight: undefined };
      this.#states.set(url, state);
    }
    return state;
  }

  #fetch(url: string, state: State): Promise<void> {
    state.inflight ??= (async () => {
      state.lastAttemptAt = this.now();
      try {
        state.entry = { keys: await fetchJwks(url, this.settings.fetchTimeoutMs), fetchedAt: this.now() };
      } catch (err) {
        this.warn(`jwks:${url}`, { url, err: err instanceof Error ? err.message : String(err), stale: state.entry !== undefined }, 'JWKS fetch failed');
      } finally {
        state.inflight = undefined;
      }
    })();
    return state.inflight;
  }
}

/** The first key with this `kid` that is not for encryption (Tyk takes the first with the kid). */
function keyFor(entry: Entry | undefined, kid: string): JWK | undefined {
  return entry?.keys.find((key) => key.kid === kid && key.use !== 'enc');
}

async function fetchJwks(url: string, timeoutMs: number): Promise<JWK[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_BYTES) throw new Error(`the JWKS is larger than ${MAX_BYTES} bytes`);
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new Error(`the JWKS is larger than ${MAX_BYTES} bytes`);
  const body: unknown = JSON.parse(text);
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('not a JWKS (no "keys" array)');
  return keys.filter((key): key is JWK => key !== null && typeof key === 'object' && !Array.isArray(key));
}
