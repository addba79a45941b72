import type { AccessDefinition__Output, SessionState, SessionState__Output } from '../coprocess/protocol/index.js';
// The leaf module, not gateway/validation/index.js: that face also loads zod, ~120 ms of CPU in
// every plugin process and hook worker thread for a few small functions.
import { closestMatch } from '../gateway/validation/closest.js';

/**
 * Session metadata (Tyk's `meta_data`). Values are strings on the wire. `token` is the identity
 * an auth_check hook grants (empty means refused); `rate_limit_pattern`, when set, is the
 * rate-limit and quota key (`$tyk_meta.*` and `$tyk_context.*` are expanded by the gateway).
 */
export interface Metadata {
  token?: string;
  rate_limit_pattern?: string;
  [key: string]: string | undefined;
}

/** Every session field, with proto names, as a plain object. */
export type SessionFields = Omit<SessionState__Output, 'metadata'> & { metadata: Metadata };

/** Session fields to set, e.g. `{ rate: 1000, per: 1, metadata: { plan: 'gold' } }`. */
export type SessionInit = Partial<SessionFields>;

/** How each field is checked and encoded; keyed by the generated type, so a new proto field is a compile error here. */
export const SESSION_FIELD_KINDS = {
  last_check: 'int64', allowance: 'double', rate: 'double', per: 'double', expires: 'int64',
  quota_max: 'int64', quota_renews: 'int64', quota_remaining: 'int64', quota_renewal_rate: 'int64',
  access_rights: 'message-map', org_id: 'string', oauth_client_id: 'string', oauth_keys: 'string-map',
  basic_auth_data: 'message', jwt_data: 'message', hmac_enabled: 'bool', hmac_secret: 'string',
  is_inactive: 'bool', apply_policy_id: 'string', data_expires: 'int64', monitor: 'message',
  enable_detailed_recording: 'bool', metadata: 'string-map', tags: 'string-list', alias: 'string',
  last_updated: 'string', id_extractor_deadline: 'int64', session_lifetime: 'int64',
  apply_policies: 'string-list', certificate: 'string', max_query_depth: 'int64', key_id: 'string',
  post_expiry_action: 'string', post_expiry_grace_period: 'int64',
} as const satisfies Record<keyof SessionState__Output, string>;

export type SessionFieldName = keyof typeof SESSION_FIELD_KINDS;
const FIELD_NAMES = Object.keys(SESSION_FIELD_KINDS) as SessionFieldName[];

const nowSeconds = () => Math.floor(Date.now() / 1000);

function requireFinite(value: unknown, what: string, min = -Infinity): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`${what} must be a finite number${min > -Infinity ? ` of at least ${min}` : ''}, got ${String(value)} (${typeof value})`);
  }
}

/**
 * The session (Tyk's SessionState), with proto field names, so Tyk's docs and Python plugins
 * translate line for line (`session.rate = 1000`). For auth_check and pre hooks it starts empty;
 * for post_key_auth, post and response hooks it is the request's session. Only auth_check's
 * session is used by the gateway; other hooks' changes are not written back (as in Tyk).
 */
export class Session implements SessionFields {
  last_check = 0;
  allowance = 0;
  /** Requests allowed per `per` seconds; 0 or less: no rate limit. */
  rate = 0;
  /** The rate window, in seconds. */
  per = 0;
  /** Key expiry, Unix seconds; 0 or less: never. */
  expires = 0;
  /** Requests per quota period; 0 or less: unlimited. */
  quota_max = 0;
  quota_renews = 0;
  quota_remaining = 0;
  /** The quota period, in seconds. */
  quota_renewal_rate = 0;
  access_rights: Record<string, AccessDefinition__Output> = {};
  org_id = '';
  oauth_client_id = '';
  oauth_keys: Record<string, string> = {};
  basic_auth_data: SessionState__Output['basic_auth_data'] = null;
  jwt_data: SessionState__Output['jwt_data'] = null;
  hmac_enabled = false;
  hmac_secret = '';
  is_inactive = false;
  apply_policy_id = '';
  data_expires = 0;
  monitor: SessionState__Output['monitor'] = null;
  enable_detailed_recording = false;
  metadata: Metadata = {};
  tags: string[] = [];
  alias = '';
  last_updated = '';
  /** Until when (Unix **seconds**) the gateway's ID extractor may reuse this session without calling the plugin. */
  id_extractor_deadline = 0;
  /** Storage lifetime in seconds (a TTL, whatever the proto comment says). */
  session_lifetime = 0;
  apply_policies: string[] = [];
  certificate = '';
  max_query_depth = 0;
  key_id = '';
  post_expiry_action = '';
  post_expiry_grace_period = 0;

  /** A session from the protocol's SessionState (or an empty one). */
  constructor(from?: SessionState__Output | null) {
    if (from !== null && from !== undefined) Object.assign(this, from);
  }

  /**
   * Sets the rate limit: `rate` requests per `perSeconds`.
   *
   * @example
   * session.setRateLimit(1000, 1); // 1000 requests per second
   */
  setRateLimit(rate: number, perSeconds: number): this {
    requireFinite(rate, 'setRateLimit(rate)');
    requireFinite(perSeconds, 'setRateLimit(rate, perSeconds)', 0);
    this.rate = rate;
    this.per = perSeconds;
    return this;
  }

  /**
   * Sets the quota: `max` requests per `renewalSeconds`. `quota_remaining` starts at `max`; the
   * gateway keeps its own counters for an identity it already knows.
   *
   * @example
   * session.setQuota(10_000, 86_400); // 10k requests a day
   */
  setQuota(max: number, renewalSeconds: number): this {
    requireFinite(max, 'setQuota(max)');
    requireFinite(renewalSeconds, 'setQuota(max, renewalSeconds)', 0);
    this.quota_max = Math.trunc(max);
    this.quota_remaining = Math.trunc(max);
    this.quota_renewal_rate = Math.trunc(renewalSeconds);
    return this;
  }

  /**
   * Makes the key expire `seconds` from now (Unix seconds in `expires`).
   *
   * @example
   * session.expireIn(3600);
   */
  expireIn(seconds: number): this {
    requireFinite(seconds, 'expireIn(seconds)', 0);
    this.expires = nowSeconds() + Math.trunc(seconds);
    return this;
  }

  /**
   * Makes the key expire at a time: a Date, or Unix seconds.
   *
   * @example
   * session.expireAt(new Date('2030-01-01T00:00:00Z'));
   */
  expireAt(when: Date | number): this {
    const seconds = when instanceof Date ? Math.floor(when.getTime() / 1000) : when;
    requireFinite(seconds, 'expireAt(when)');
    this.expires = Math.trunc(seconds);
    return this;
  }

  /**
   * Lets the gateway's ID extractor reuse this session for `seconds` without calling the plugin
   * (sets `id_extractor_deadline` in Unix seconds, not milliseconds).
   *
   * @example
   * session.cacheFor(60);
   */
  cacheFor(seconds: number): this {
    requireFinite(seconds, 'cacheFor(seconds)', 0);
    this.id_extractor_deadline = nowSeconds() + Math.trunc(seconds);
    return this;
  }

  /** `metadata.rate_limit_pattern`: the rate-limit and quota key, e.g. `$tyk_meta.org_id`. */
  get rateLimitPattern(): string | undefined {
    return this.metadata.rate_limit_pattern;
  }
  set rateLimitPattern(pattern: string | undefined) {
    if (pattern === undefined || pattern === '') delete this.metadata.rate_limit_pattern;
    else this.metadata.rate_limit_pattern = pattern;
  }

  /**
   * Grants access to an API (Tyk's `access_rights`). A session with no access rights may call
   * every API; with some, only those.
   *
   * @example
   * session.grantAccess('orders-api', { versions: ['Default'] });
   */
  grantAccess(apiId: string, options: { apiName?: string; versions?: string[] } = {}): this {
    this.access_rights[apiId] = { api_id: apiId, api_name: options.apiName ?? '', versions: options.versions ?? [], allowed_urls: [] };
    return this;
  }

  /**
   * Sets several fields at once; unknown field names are refused with the closest known one.
   *
   * @example
   * session.assign({ rate: 100, per: 60, metadata: { plan: 'free' } });
   */
  assign(init: SessionInit): this {
    if (init === null || typeof init !== 'object') throw new TypeError(`session fields must be an object, got ${init === null ? 'null' : typeof init}`);
    for (const [key, value] of Object.entries(init)) {
      if (!Object.hasOwn(SESSION_FIELD_KINDS, key)) {
        const hint = closestMatch(key, FIELD_NAMES);
        throw new TypeError(`unknown session field ${JSON.stringify(key)}${hint === undefined ? '' : `; did you mean ${JSON.stringify(hint)}?`}`);
      }
      if (key === 'metadata') {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`session metadata must be an object of strings, got ${value === null ? 'null' : typeof value}`);
        Object.assign(this.metadata, value);
      } else (this as Record<string, unknown>)[key] = value;
    }
    return this;
  }

  /**
   * True when every field still has its default (a session nobody set up); such a session is not
   * sent back for hooks that received none.
   *
   * @example
   * new Session().isEmpty(); // true
   */
  isEmpty(): boolean {
    const empty = EMPTY;
    return FIELD_NAMES.every((name) => {
      const value: unknown = this[name];
      const zero: unknown = empty[name];
      if (value === zero) return true;
      if (Array.isArray(value)) return value.length === 0;
      return value !== null && typeof value === 'object' && zero !== null && Object.keys(value).length === 0;
    });
  }

  /**
   * The session as the protocol's SessionState, for encoding (metadata entries left undefined are
   * dropped).
   *
   * @example
   * const proto = new Session().setRateLimit(10, 1).toProto(); // { rate: 10, per: 1, ... }
   */
  toProto(): SessionState {
    const metadata: Record<string, string> = {};
    const own = this.metadata;
    for (const key in own) {
      const value = own[key];
      if (value !== undefined && Object.hasOwn(own, key)) metadata[key] = value;
    }
    // One literal (one object shape) rather than a loop over the field names: this runs on every call.
    return {
      last_check: this.last_check, allowance: this.allowance, rate: this.rate, per: this.per, expires: this.expires,
      quota_max: this.quota_max, quota_renews: this.quota_renews, quota_remaining: this.quota_remaining, quota_renewal_rate: this.quota_renewal_rate,
      access_rights: this.access_rights, org_id: this.org_id, oauth_client_id: this.oauth_client_id, oauth_keys: this.oauth_keys,
      basic_auth_data: this.basic_auth_data, jwt_data: this.jwt_data, hmac_enabled: this.hmac_enabled, hmac_secret: this.hmac_secret,
      is_inactive: this.is_inactive, apply_policy_id: this.apply_policy_id, data_expires: this.data_expires, monitor: this.monitor,
      enable_detailed_recording: this.enable_detailed_recording, metadata, tags: this.tags, alias: this.alias,
      last_updated: this.last_updated, id_extractor_deadline: this.id_extractor_deadline, session_lifetime: this.session_lifetime,
      apply_policies: this.apply_policies, certificate: this.certificate, max_query_depth: this.max_query_depth, key_id: this.key_id,
      post_expiry_action: this.post_expiry_action, post_expiry_grace_period: this.post_expiry_grace_period,
    } satisfies Record<SessionFieldName, unknown>;
  }

  toJSON(): SessionState {
    return this.toProto();
  }
}

const EMPTY = new Session();
