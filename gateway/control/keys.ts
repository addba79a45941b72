import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CertificateStore } from '../certs/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { readBody } from '../pipeline/body.js';
import { applyPolicies, policyIdsOf, type PolicyStore } from '../policy/index.js';
import { generateToken, hashKey, hashPassword, newHmacSecret, newKeyId, parseSession, sessionLifetime, type SessionJson, type SessionStore } from '../session/index.js';
import { apiError, writeJson } from './respond.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface KeyRoutesDeps {
  readonly config: GatewayConfig;
  readonly sessions: SessionStore;
  readonly certs: CertificateStore;
  readonly policies: PolicyStore;
  readonly logger: Logger;
}

const bindingsOf = (session: SessionJson): string[] => {
  const value = session['mtls_static_certificate_bindings'];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/**
 * Tyk's validateMtlsStaticCertificateBindings (tyk-config.md 3.9): every bound certificate ID must
 * carry the key's org and be in the store. `previous` entries (an update) are not checked again.
 * Answers 400 and returns false on the first bad entry.
 */
async function bindingsValid(res: ServerResponse, deps: KeyRoutesDeps, session: SessionJson, previous: readonly string[] = []): Promise<boolean> {
  const value = session['mtls_static_certificate_bindings'];
  if (value !== undefined && value !== null && (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))) {
    apiError(res, 400, 'mtls_static_certificate_bindings must be a list of certificate IDs');
    return false;
  }
  const org = session.org_id ?? '';
  for (const id of bindingsOf(session).filter((b) => !previous.includes(b))) {
    if (org !== '' && !id.startsWith(org)) {
      apiError(res, 400, `invalid certificate ID: ${id}`);
      return false;
    }
    if (!(await deps.certs.exists(id))) {
      apiError(res, 400, `certificate not found: ${id}`);
      return false;
    }
  }
  return true;
}

async function readSession(req: IncomingMessage, res: ServerResponse, malformed: string): Promise<SessionJson | undefined> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (!body.ok) {
    apiError(res, body.reason === 'too_large' ? 413 : 400, body.reason === 'too_large' ? 'Request body too large' : malformed);
    return undefined;
  }
  const session = parseSession(body.body.toString('utf8'));
  if (session === undefined) apiError(res, 400, malformed);
  return session;
}

const passwordOf = (session: SessionJson | undefined): string => {
  const password = session?.basic_auth_data?.password;
  return typeof password === 'string' ? password : '';
};

/**
 * Basic-auth passwords as Tyk's handleAddOrUpdate treats them (tyk-config.md 4.3): a password in
 * the body is hashed with `basic_auth_hash_key_function` (bcrypt cost 10 by default) and stored
 * with that `hash_type`; on update, no password, or the stored hash sent back as it is, keeps the
 * stored `basic_auth_data`. Answers 400 and returns false for a password bcrypt cannot hash (Tyk
 * would store it in plain text).
 */
async function storePassword(res: ServerResponse, deps: KeyRoutesDeps, session: SessionJson, stored?: SessionJson): Promise<boolean> {
  const given = passwordOf(session);
  const kept = passwordOf(stored);
  if (given === '' || given === kept) {
    if (kept !== '') session.basic_auth_data = { ...stored?.basic_auth_data };
    return true;
  }
  const type = deps.config.sessions.basicAuthHashFunction;
  try {
    session.basic_auth_data = { ...session.basic_auth_data, password: await hashPassword(type, given), hash_type: type };
    return true;
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    apiError(res, 400, `basic_auth_data.password: ${err.message}`);
    return false;
  }
}

/** A session as GET shows it: a basic-auth password (its hash) is blanked, as Tyk does. */
function shown(session: SessionJson): SessionJson {
  return passwordOf(session) === '' ? session : { ...session, basic_auth_data: { ...session.basic_auth_data, password: '' } };
}

const CREATE_FAILED = 'Failed to create key, ensure security settings are correct.';

/**
 * As Tyk's key routes: the key's policies are applied before it is stored (so a key naming only
 * policies gets their access rights and limits), and a new key gets the policies' key_expires_in.
 * Undefined (500, as Tyk) when they cannot be applied.
 */
function withPolicies(session: SessionJson, deps: KeyRoutesDeps, isNew: boolean): SessionJson | undefined {
  const ids = policyIdsOf(session);
  if (ids === undefined) return session;
  const applied = applyPolicies(session, deps.policies, undefined);
  if (!applied.ok) {
    deps.logger.warn({ reason: applied.reason }, 'key refused: its policies cannot be applied');
    return undefined;
  }
  if (isNew) {
    const orgId = session.org_id ?? '';
    for (const id of ids) {
      const expiresIn = deps.policies.get(orgId, id)?.key_expires_in ?? 0;
      if (expiresIn > 0) applied.session.expires = Math.floor(Date.now() / 1000) + expiresIn;
    }
  }
  return applied.session;
}

function lifetimeOf(session: SessionJson, config: GatewayConfig): number {
  const s = config.sessions;
  return sessionLifetime(session, { apiSessionLifetime: 0, respectsKeyExpiration: s.lifetimeRespectsKeyExpiration, forceGlobal: s.forceGlobalLifetime, globalSessionLifetime: s.globalLifetime });
}

function changed(res: ServerResponse, deps: KeyRoutesDeps, key: string, action: 'added' | 'modified' | 'deleted', basicAuth = false): void {
  // With hash_keys, a created basic-auth user's key is not echoed; its hash is (Tyk).
  const body: Record<string, string> = { key: deps.config.sessions.hashKeys && basicAuth && action === 'added' ? '' : key, status: 'ok', action };
  if (deps.config.sessions.hashKeys) body['key_hash'] = hashKey(key);
  writeJson(res, 200, body);
}

/** Where a key's session is, for GET/PUT/DELETE: by hash (`?hashed=1`) or by name. */
async function locate(deps: KeyRoutesDeps, name: string, url: URL): Promise<{ keyId: string; session: SessionJson; byHash: boolean } | 'bad_hash' | undefined> {
  if (url.searchParams.get('hashed')) {
    if (!deps.config.sessions.hashKeys) return 'bad_hash';
    const raw = await deps.sessions.store.get(`apikey-${name}`);
    const session = raw === null ? undefined : parseSession(raw);
    return session === undefined ? undefined : { keyId: name, session, byHash: true };
  }
  const found = await deps.sessions.find(url.searchParams.get('org_id') ?? '', name);
  return found === undefined ? undefined : { ...found, byHash: false };
}

/** Counters of a key: its rate-limit log and quota under the key's identity, and those of each allowance scope. */
function counterKeys(deps: KeyRoutesDeps, keyId: string, byHash: boolean, session: SessionJson): string[] {
  const identity = byHash || !deps.config.sessions.hashKeys ? keyId : hashKey(keyId);
  const scopes = new Set(Object.values(session.access_rights ?? {}).map((r) => r.allowance_scope ?? '').filter((s) => s !== ''));
  return ['', ...scopes].flatMap((scope) => {
    const scoped = scope === '' ? identity : `${scope}-${identity}`;
    return [`quota-${scoped}`, `rate-limit-${scoped}`];
  });
}

/**
 * /tyk/keys and /tyk/keys/{key} (tyk-config.md 4.3); `create` for POST /tyk/keys/create, which
 * also gives a key with `hmac_enabled` a new `hmac_string` (replacing any sent, as Tyk does).
 */
export async function handleKeys(
  req: IncomingMessage,
  res: ServerResponse,
  deps: KeyRoutesDeps,
  name: string | undefined,
  url: URL,
  options: { readonly create?: boolean } = {},
): Promise<void> {
  const { sessions, config } = deps;
  const method = req.method ?? 'GET';

  if (name === undefined || name === '') {
    if (method === 'GET') {
      if (config.sessions.hashKeys && !config.tyk.enable_hashed_keys_listing) {
        apiError(res, 404, 'Hashed key listing is disabled in config (enable_hashed_keys_listing)');
        return;
      }
      const filter = url.searchParams.get('filter') ?? '';
      const keys = (await sessions.list()).filter((k) => k.startsWith(filter));
      writeJson(res, 200, { keys });
      return;
    }
    if (method !== 'POST') {
      apiError(res, 405, 'Method not supported');
      return;
    }
    const read = await readSession(req, res, 'Request malformed');
    if (read === undefined) return;
    const session = withPolicies(read, deps, true);
    if (session === undefined || (!config.tyk.allow_master_keys && Object.keys(session.access_rights ?? {}).length === 0)) {
      apiError(res, 500, CREATE_FAILED);
      return;
    }
    if (!(await bindingsValid(res, deps, session))) return;
    if (options.create === true && session.hmac_enabled === true) session.hmac_string = newHmacSecret();
    const certificate = options.create === true ? (session.certificate ?? '') : '';
    // Certificate auth: /tyk/keys/create names the key after its certificate (Tyk's createKeyHandler).
    const key = generateToken(session.org_id ?? '', certificate === '' ? newKeyId() : certificate, config.sessions.hashKeyFunction);
    if (certificate !== '' && (await sessions.find(session.org_id ?? '', key)) !== undefined) {
      apiError(res, 500, `Failed to create key - Key with given certificate already found:${key}`);
      return;
    }
    if (!(await storePassword(res, deps, session))) return;
    await sessions.save(key, session, lifetimeOf(session, config));
    deps.logger.info({ action: 'added' }, 'key created');
    changed(res, deps, key, 'added', passwordOf(session) !== '');
    return;
  }

  if (method === 'POST') {
    if (name.length < config.sessions.minTokenLength) {
      const m = config.sessions.minTokenLength;
      apiError(res, 400, `custom key ID length ${name.length} is less than min_token_length (${m}); the key would be unreachable at auth time. Use an ID of at least min_token_length characters, or lower min_token_length in the gateway configuration.`);
      return;
    }
    const read = await readSession(req, res, 'Request malformed');
    if (read === undefined) return;
    const key = generateToken(read.org_id ?? '', name, config.sessions.hashKeyFunction);
    const session = withPolicies(read, deps, (await sessions.find(read.org_id ?? '', key)) === undefined);
    if (session === undefined || (!config.tyk.allow_master_keys && Object.keys(session.access_rights ?? {}).length === 0)) {
      apiError(res, 500, CREATE_FAILED);
      return;
    }
    if (!(await bindingsValid(res, deps, session))) return;
    if (!(await storePassword(res, deps, session))) return;
    await sessions.save(key, session, lifetimeOf(session, config));
    deps.logger.info({ action: 'added' }, 'key created with a chosen name');
    changed(res, deps, key, 'added', passwordOf(session) !== '');
    return;
  }

  const located = await locate(deps, name, url);
  if (located === 'bad_hash') {
    apiError(res, 400, 'Key requested by hash but key hashing is not enabled');
    return;
  }
  if (method === 'GET') {
    if (located === undefined) apiError(res, 404, 'Key not found');
    else writeJson(res, 200, shown(located.session));
    return;
  }
  if (method === 'PUT') {
    if (located === undefined) {
      apiError(res, 404, 'Key is not found');
      return;
    }
    const read = await readSession(req, res, 'Request malformed');
    if (read === undefined) return;
    const update = withPolicies(read, deps, false);
    if (update === undefined) {
      apiError(res, 500, CREATE_FAILED);
      return;
    }
    if (!(await bindingsValid(res, deps, update, bindingsOf(located.session)))) return;
    const certificate = update.certificate ?? '';
    if (certificate !== (located.session.certificate ?? '')) {
      if (certificate === '') {
        apiError(res, 400, 'Key cannot be used without a certificate');
        return;
      }
      if (!(await deps.certs.exists(certificate))) {
        apiError(res, 400, 'Key must be used with an existent certificate');
        return;
      }
    }
    if (located.session['date_created'] !== undefined) update['date_created'] = located.session['date_created'];
    if (!(await storePassword(res, deps, update, located.session))) return;
    if (located.byHash) await sessions.store.set(`apikey-${located.keyId}`, JSON.stringify(update));
    else await sessions.save(located.keyId, update, lifetimeOf(update, config));
    changed(res, deps, located.keyId, 'modified');
    return;
  }
  if (method === 'DELETE') {
    if (located === undefined) {
      apiError(res, 404, 'There is no such key found');
      return;
    }
    if (located.byHash) await sessions.store.delete(`apikey-${located.keyId}`);
    else await sessions.remove(located.keyId);
    // Deleting a key resets its counters: a key created again starts with a fresh quota.
    for (const counter of counterKeys(deps, located.keyId, located.byHash, located.session)) await sessions.store.delete(counter);
    changed(res, deps, located.keyId, 'deleted');
    return;
  }
  apiError(res, 405, 'Method not supported');
}
