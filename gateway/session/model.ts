import type { AccessDefinition__Output, SessionState, SessionState__Output } from '../../coprocess/protocol/index.js';

/** One entry of `access_rights` as Tyk stores it; fields the protocol lacks (limit, ...) are kept. */
export interface AccessDefinitionJson {
  api_name?: string;
  api_id?: string;
  versions?: string[];
  allowed_urls?: { url: string; methods: string[] }[];
  limit?: Record<string, unknown>;
  /** Set by policies: an API whose limits count apart from the session's other APIs. */
  allowance_scope?: string;
  [other: string]: unknown;
}

/**
 * A session as Tyk stores it (user.SessionState as JSON, protocol.md 2.8). It stays a plain
 * object: fields Hookgate does not use (date_created, smoothing, per-API limits, ...) are kept as
 * they are, so a session written by Tyk and read by Hookgate, or the reverse, loses nothing.
 */
export interface SessionJson {
  last_check?: number;
  allowance?: number;
  rate?: number;
  per?: number;
  max_query_depth?: number;
  expires?: number;
  quota_max?: number;
  quota_renews?: number;
  quota_remaining?: number;
  quota_renewal_rate?: number;
  access_rights?: Record<string, AccessDefinitionJson>;
  org_id?: string;
  oauth_client_id?: string;
  oauth_keys?: Record<string, string>;
  certificate?: string;
  basic_auth_data?: { password?: string; hash_type?: string };
  jwt_data?: { secret?: string };
  hmac_enabled?: boolean;
  /** The HMAC secret; a credential, never logged. */
  hmac_string?: string;
  /** Tyk: HMAC or RSA signatures allowed for this key (RSA needs `rsa_certificate_id`). */
  enable_http_signature_validation?: boolean;
  rsa_certificate_id?: string;
  is_inactive?: boolean;
  apply_policy_id?: string;
  apply_policies?: string[];
  data_expires?: number;
  monitor?: { trigger_limits?: number[] };
  enable_detail_recording?: boolean;
  enable_detailed_recording?: boolean;
  meta_data?: Record<string, unknown>;
  tags?: string[];
  alias?: string;
  last_updated?: string;
  id_extractor_deadline?: number;
  session_lifetime?: number;
  post_expiry_action?: string;
  post_expiry_grace_period?: number;
  [other: string]: unknown;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Go's json.Marshal of a meta_data value that is not a string (protocol.md 2.3). */
const metaString = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

/** The session as the protocol carries it to plugins; `keyId` is the storage key it was found under. */
export function sessionToProto(session: SessionJson, keyId: string): SessionState__Output {
  const accessRights: Record<string, AccessDefinition__Output> = {};
  for (const [api, def] of Object.entries(session.access_rights ?? {})) {
    accessRights[api] = {
      api_name: str(def.api_name),
      api_id: str(def.api_id),
      versions: strings(def.versions),
      allowed_urls: (def.allowed_urls ?? []).map((u) => ({ url: str(u.url), methods: strings(u.methods) })),
    };
  }
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(session.meta_data ?? {})) metadata[key] = metaString(value);
  return {
    last_check: num(session.last_check),
    allowance: num(session.allowance),
    rate: num(session.rate),
    per: num(session.per),
    expires: num(session.expires),
    quota_max: num(session.quota_max),
    quota_renews: num(session.quota_renews),
    quota_remaining: num(session.quota_remaining),
    quota_renewal_rate: num(session.quota_renewal_rate),
    access_rights: accessRights,
    org_id: str(session.org_id),
    oauth_client_id: str(session.oauth_client_id),
    oauth_keys: { ...(session.oauth_keys ?? {}) },
    basic_auth_data: { password: str(session.basic_auth_data?.password), hash: str(session.basic_auth_data?.hash_type) },
    jwt_data: { secret: str(session.jwt_data?.secret) },
    hmac_enabled: session.hmac_enabled === true,
    hmac_secret: str(session.hmac_string),
    is_inactive: session.is_inactive === true,
    apply_policy_id: str(session.apply_policy_id),
    data_expires: num(session.data_expires),
    monitor: { trigger_limits: (session.monitor?.trigger_limits ?? []).map(num) },
    enable_detailed_recording: session.enable_detail_recording === true || session.enable_detailed_recording === true,
    metadata,
    tags: strings(session.tags),
    alias: str(session.alias),
    last_updated: str(session.last_updated),
    id_extractor_deadline: num(session.id_extractor_deadline),
    session_lifetime: num(session.session_lifetime),
    apply_policies: strings(session.apply_policies),
    certificate: str(session.certificate),
    max_query_depth: num(session.max_query_depth),
    key_id: keyId,
    post_expiry_action: str(session.post_expiry_action),
    post_expiry_grace_period: num(session.post_expiry_grace_period),
  };
}

/** Drops zero values, as Tyk's JSON (`omitzero`/`omitempty`) does. */
function setOrDrop(target: SessionJson, key: string, value: unknown): void {
  const empty =
    value === 0 || value === '' || value === false || value === undefined || value === null ||
    (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
  if (empty) delete target[key];
  else target[key] = value;
}

/**
 * A session from the protocol's shape (what an auth plugin returned), over `base` (the stored
 * session, if any): every field the protocol carries is taken from `proto`; fields it does not
 * carry (per-API limits, date_created, ...) stay as `base` has them. A meta_data value that
 * `base` holds as a non-string keeps its type when the plugin sent it back unchanged.
 */
export function sessionFromProto(proto: SessionState, base: SessionJson = {}): SessionJson {
  const out: SessionJson = structuredClone(base);
  const scalars: [keyof SessionJson & string, unknown][] = [
    ['last_check', proto.last_check], ['allowance', proto.allowance], ['rate', proto.rate], ['per', proto.per],
    ['expires', proto.expires], ['quota_max', proto.quota_max], ['quota_renews', proto.quota_renews],
    ['quota_remaining', proto.quota_remaining], ['quota_renewal_rate', proto.quota_renewal_rate], ['org_id', proto.org_id],
    ['oauth_client_id', proto.oauth_client_id], ['hmac_enabled', proto.hmac_enabled], ['hmac_string', proto.hmac_secret],
    ['is_inactive', proto.is_inactive], ['apply_policy_id', proto.apply_policy_id], ['data_expires', proto.data_expires],
    ['enable_detailed_recording', proto.enable_detailed_recording], ['alias', proto.alias], ['last_updated', proto.last_updated],
    ['id_extractor_deadline', proto.id_extractor_deadline], ['session_lifetime', proto.session_lifetime],
    ['certificate', proto.certificate], ['max_query_depth', proto.max_query_depth], ['post_expiry_action', proto.post_expiry_action],
    ['post_expiry_grace_period', proto.post_expiry_grace_period],
  ];
  for (const [key, value] of scalars) setOrDrop(out, key, typeof value === 'object' && value !== null ? Number(value) : value);
  if (proto.enable_detailed_recording !== true) delete out.enable_detail_recording;
  setOrDrop(out, 'oauth_keys', { ...(proto.oauth_keys ?? {}) });
  setOrDrop(out, 'tags', [...(proto.tags ?? [])]);
  setOrDrop(out, 'apply_policies', [...(proto.apply_policies ?? [])]);
  const basic = { ...(base.basic_auth_data ?? {}) };
  setOrDrop(basic, 'password', proto.basic_auth_data?.password ?? '');
  setOrDrop(basic, 'hash_type', proto.basic_auth_data?.hash ?? '');
  setOrDrop(out, 'basic_auth_data', basic);
  setOrDrop(out, 'jwt_data', proto.jwt_data?.secret ? { ...(base.jwt_data ?? {}), secret: proto.jwt_data.secret } : {});
  setOrDrop(out, 'monitor', (proto.monitor?.trigger_limits ?? []).length > 0 ? { trigger_limits: [...(proto.monitor?.trigger_limits ?? [])].map(Number) } : {});

  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(proto.metadata ?? {})) {
    const kept = base.meta_data?.[key];
    meta[key] = kept !== undefined && metaString(kept) === value ? kept : value;
  }
  setOrDrop(out, 'meta_data', meta);

  const rights: Record<string, AccessDefinitionJson> = {};
  for (const [api, def] of Object.entries(proto.access_rights ?? {})) {
    const entry: AccessDefinitionJson = { ...(base.access_rights?.[api] ?? {}) };
    setOrDrop(entry, 'api_name', def.api_name ?? '');
    setOrDrop(entry, 'api_id', def.api_id ?? '');
    setOrDrop(entry, 'versions', [...(def.versions ?? [])]);
    // Tyk's conversion prepends empty entries to allowed_urls (a pre-sizing bug); Hookgate does not.
    setOrDrop(entry, 'allowed_urls', (def.allowed_urls ?? []).map((u) => ({ url: u.url ?? '', methods: [...(u.methods ?? [])] })));
    rights[api] = entry;
  }
  setOrDrop(out, 'access_rights', rights);
  return out;
}
