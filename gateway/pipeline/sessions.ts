import type { SessionSettings } from '../config/index.js';
import type { ErrorCode, ErrorResponder } from '../errors/index.js';
import type { ThrottledLog } from '../logging/index.js';
import type { PolicyStore } from '../policy/index.js';
import { hashKey, sessionLifetime, type SessionJson, type SessionStore } from '../session/index.js';
import type { EventDispatcher } from './events.js';
import { expandRateLimitPattern } from './limit-key.js';
import { refusalOf, writeRefusal, type Refusal } from './refusal.js';
import type { RequestContext } from './request-context.js';

export interface SessionDeps {
  readonly sessions: SessionStore;
  /** The loaded policies (swapped whole on reload). */
  readonly policies: PolicyStore;
  readonly settings: SessionSettings;
  readonly events: EventDispatcher;
  readonly errors: ErrorResponder;
  readonly log: ThrottledLog;
  /** Counts requests let through while limits could not be checked (limits_on_storage_failure). */
  readonly onLimitsFailOpen: (apiId: string) => void;
}

function keyFailureMeta(ctx: RequestContext, message: string, key: string) {
  return () => ({ Message: message, Path: ctx.path, Origin: ctx.clientIp, Key: key });
}

function fail(ctx: RequestContext, deps: SessionDeps, code: ErrorCode): false {
  deps.errors.send(ctx.req, ctx.res, code);
  return false;
}

/**
 * With `limits_on_storage_failure: fail_open`, a storage failure in limits, quota state or the
 * write-back lets the request through, logged and counted. Returns false when failing closed.
 */
export function failOpen(ctx: RequestContext, deps: SessionDeps, what: string, err: unknown): boolean {
  if (deps.settings.limitsOnStorageFailure !== 'fail_open') return false;
  deps.onLimitsFailOpen(ctx.api.id);
  deps.log.warn(`open:${ctx.api.id}:${what}`, { api_id: ctx.api.id, operation: what, err: err instanceof Error ? err.message : String(err) }, 'session storage unavailable; request let through (limits_on_storage_failure: fail_open)');
  return true;
}

/** A storage failure that refuses the request (503), logged. */
export function storageRefusal(ctx: RequestContext, deps: SessionDeps, what: string, err: unknown): Refusal {
  deps.log.error(`storage:${ctx.api.id}:${what}`, { api_id: ctx.api.id, operation: what, err: err instanceof Error ? err.message : String(err) }, 'session storage failed; request refused');
  return refusalOf('HG_ERR_STORAGE_UNAVAILABLE');
}

function storageFailed(ctx: RequestContext, deps: SessionDeps, what: string, err: unknown): false {
  return writeRefusal(ctx, deps.errors, storageRefusal(ctx, deps, what, err));
}

/** KeyExpired and AccessRightsCheck (protocol.md 2.9). */
export function sessionChecksStage(ctx: RequestContext, deps: SessionDeps): boolean {
  const session = ctx.session;
  if (session === undefined) return fail(ctx, deps, 'HG_ERR_SESSION_MISSING');
  const key = ctx.sessionKey ?? '';
  if (session.is_inactive === true) {
    deps.events.fire(ctx.api, 'KeyExpired', keyFailureMeta(ctx, 'Attempted access from inactive key.', key));
    return fail(ctx, deps, 'HG_ERR_KEY_INACTIVE');
  }
  const expires = session.expires ?? 0;
  if (expires >= 1 && expires < Date.now() / 1000) {
    deps.events.fire(ctx.api, 'KeyExpired', keyFailureMeta(ctx, 'Attempted access from expired key.', key));
    return fail(ctx, deps, 'HG_ERR_KEY_EXPIRED');
  }
  const rights = session.access_rights;
  if (rights !== undefined && Object.keys(rights).length > 0 && rights[ctx.api.id] === undefined) {
    return fail(ctx, deps, 'HG_ERR_ACCESS_DISALLOWED');
  }
  return true;
}

interface Limits {
  rate: number;
  per: number;
  quotaMax: number;
  quotaRenewalRate: number;
  /** The API's allowance scope: its counters are apart from the session's other APIs'. */
  scope: string;
}

const LIMIT_FIELDS = ['rate', 'per', 'quota_max', 'quota_renewal_rate', 'quota_renews', 'quota_remaining', 'throttle_interval', 'throttle_retry_limit', 'max_query_depth'];
const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Tyk's GetAccessDefinitionByAPIIDOrSession: the API's own `access_rights[api].limit` unless it
 * is empty (every number 0), else the session's; the API's `allowance_scope` either way.
 */
function limitsOf(session: SessionJson, apiId: string): Limits {
  const rights = session.access_rights?.[apiId];
  const limit = rights?.limit;
  const scope = typeof rights?.allowance_scope === 'string' ? rights.allowance_scope : '';
  if (limit !== undefined && limit !== null && LIMIT_FIELDS.some((key) => n(limit[key]) !== 0)) {
    return { rate: n(limit['rate']), per: n(limit['per']), quotaMax: n(limit['quota_max']), quotaRenewalRate: n(limit['quota_renewal_rate']), scope };
  }
  return { rate: n(session.rate), per: n(session.per), quotaMax: n(session.quota_max), quotaRenewalRate: n(session.quota_renewal_rate), scope };
}

/** Tyk's updateSessionQuota: every API limit of this scope, and the session's own when unscoped. */
function updateQuota(session: SessionJson, scope: string, remaining: number, renews: number | undefined): void {
  for (const rights of Object.values(session.access_rights ?? {})) {
    const limit = rights.limit;
    if (limit === undefined || limit === null || !LIMIT_FIELDS.some((key) => n(limit[key]) !== 0)) continue;
    if ((rights.allowance_scope ?? '') !== scope) continue;
    limit['quota_remaining'] = remaining;
    if (renews !== undefined) limit['quota_renews'] = renews;
  }
  if (scope !== '') return;
  session.quota_remaining = remaining;
  if (renews !== undefined) session.quota_renews = renews;
}

/**
 * `rate` per `per` seconds as a sliding log of whole hits: a fractional rate keeps its ratio
 * with a longer window (0.5 per 1 s is 1 per 2 s).
 */
export function windowOf(rate: number, per: number): { limit: number; windowMs: number } {
  if (rate < 1) return { limit: 1, windowMs: Math.round((per / rate) * 1000) };
  const limit = Math.floor(rate);
  return { limit, windowMs: Math.round(per * (limit / rate) * 1000) };
}

/**
 * RateLimitAndQuotaCheck: the rate limit, then the quota, keyed by identity (or the expanded
 * `rate_limit_pattern`, used as is). 429 `Rate Limit Exceeded` and 403 `Quota exceeded`, with
 * Tyk's events; X-RateLimit-* headers from the rate limit or the quota (rate_limit_response_headers).
 */
export async function limitsStage(ctx: RequestContext, deps: SessionDeps): Promise<boolean> {
  const session = ctx.session;
  if (session === undefined) return fail(ctx, deps, 'HG_ERR_SESSION_MISSING');
  const keyId = ctx.sessionKey ?? '';
  const pattern = expandRateLimitPattern(ctx);
  const identity = pattern !== undefined && pattern !== '' ? pattern : deps.settings.hashKeys ? hashKey(keyId) : keyId;
  const limits = limitsOf(session, ctx.api.id);
  // Tyk's key layout: `rate-limit-[<scope>-]<identity>`, `quota-[<scope>-]<identity>`.
  const scoped = limits.scope === '' ? identity : `${limits.scope}-${identity}`;
  try {
    const window = limits.rate > 0 && limits.per > 0 ? windowOf(limits.rate, limits.per) : undefined;
    // One call, so a store that can (single-node Redis) checks both in one round trip.
    const { rate: hit, quota } = await deps.sessions.store.hitLimits(
      window === undefined ? undefined : { key: `rate-limit-${scoped}`, limit: window.limit, windowMs: window.windowMs },
      limits.quotaMax > 0 ? { key: `quota-${scoped}`, renewalSeconds: limits.quotaRenewalRate } : undefined,
    );
    if (window !== undefined && hit !== undefined) {
      const limit = window.limit;
      if (deps.settings.rateLimitHeaders === 'rate_limits') {
        const reset = Math.floor(Date.now() / 1000) + Math.ceil(hit.resetMs / 1000);
        ctx.responseHeaders.push('X-RateLimit-Limit', String(limit), 'X-RateLimit-Remaining', String(Math.max(0, limit - hit.count)), 'X-RateLimit-Reset', String(reset));
      }
      if (!hit.allowed) {
        deps.log.warn(`rate:${ctx.api.id}`, { api_id: ctx.api.id }, 'Key rate limit exceeded.');
        deps.events.fire(ctx.api, 'RatelimitExceeded', keyFailureMeta(ctx, 'Key Rate Limit Exceeded', keyId));
        for (let i = 0; i < ctx.responseHeaders.length; i += 2) ctx.res.setHeader(ctx.responseHeaders[i] as string, ctx.responseHeaders[i + 1] as string);
        return fail(ctx, deps, 'HG_ERR_RATE_LIMITED');
      }
    }
    if (limits.quotaMax > 0 && quota !== undefined) {
      if (quota.count > limits.quotaMax) {
        deps.events.fire(ctx.api, 'QuotaExceeded', keyFailureMeta(ctx, 'Key Quota Limit Exceeded', keyId));
        return fail(ctx, deps, 'HG_ERR_QUOTA_EXCEEDED');
      }
      updateQuota(session, limits.scope, limits.quotaMax - quota.count, quota.resetSeconds >= 0 ? Math.floor(Date.now() / 1000) + quota.resetSeconds : undefined);
      ctx.sessionModified = true;
    }
  } catch (err) {
    return failOpen(ctx, deps, 'limits', err) || storageFailed(ctx, deps, 'limits', err);
  }
  if (deps.settings.rateLimitHeaders === 'quotas' && limits.quotaMax > 0) {
    const own = limits.scope === '' ? session : session.access_rights?.[ctx.api.id]?.limit ?? {};
    ctx.responseHeaders.push('X-RateLimit-Limit', String(limits.quotaMax), 'X-RateLimit-Remaining', String(n(own['quota_remaining'])), 'X-RateLimit-Reset', String(n(own['quota_renews'])));
  }
  return true;
}

const neverExpiresLogged = new Set<string>();

/** SetSession: a changed session is written back with Tyk's lifetime rules (protocol.md 2.9). */
export async function persistStage(ctx: RequestContext, deps: SessionDeps): Promise<boolean> {
  if (!ctx.sessionModified || ctx.session === undefined || ctx.sessionKey === undefined) return true;
  const def = ctx.api.definition;
  const ttl = sessionLifetime(ctx.session, {
    apiSessionLifetime: def.session_lifetime,
    respectsKeyExpiration: deps.settings.lifetimeRespectsKeyExpiration,
    forceGlobal: deps.settings.forceGlobalLifetime,
    globalSessionLifetime: deps.settings.globalLifetime,
  });
  if (ttl <= 0 && (ctx.session.expires ?? 0) <= 0 && !neverExpiresLogged.has(ctx.api.id)) {
    if (neverExpiresLogged.size < 10_000) neverExpiresLogged.add(ctx.api.id);
    deps.log.warn(`never:${ctx.api.id}`, { api_id: ctx.api.id }, 'sessions of this API never expire (no expires, session_lifetime or global lifetime); they stay in storage until deleted');
  }
  try {
    await deps.sessions.save(ctx.sessionKey, ctx.session, ttl);
    ctx.sessionModified = false;
  } catch (err) {
    if (failOpen(ctx, deps, 'save', err)) {
      ctx.sessionModified = false;
      return true;
    }
    return storageFailed(ctx, deps, 'save', err);
  }
  return true;
}

/**
 * `strip_auth_data`: after auth, the credential is not sent upstream: every auth config's header
 * and query parameter, and its cookie (matched by exact name, where Tyk matches by prefix).
 */
export function stripAuthStage(ctx: RequestContext): boolean {
  for (const config of ctx.api.auth.credentialConfigs) {
    const header = config?.auth_header_name || 'Authorization';
    ctx.deleteHeader(header);
    if (config?.use_param === true) {
      const name = config.param_name || header;
      ctx.query = ctx.query.split('&').filter((pair) => pair !== '' && pair.split('=')[0] !== name).join('&');
    }
    if (config?.use_cookie === true) {
      const name = config.cookie_name || header;
      const cookies = (ctx.header('cookie') ?? '').split(';').filter((part) => part.trim() !== '' && part.split('=')[0]?.trim() !== name);
      if (cookies.length === 0) ctx.deleteHeader('cookie');
      else ctx.setHeader('Cookie', cookies.map((c) => c.trim()).join('; '));
    }
  }
  return true;
}
