import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CertificateStore } from '../certs/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { readBody } from '../pipeline/body.js';
import { generateToken, hashKey, newHmacSecret, newKeyId, parseSession, sessionLifetime, type SessionJson, type SessionStore } from '../session/index.js';
import { apiError, writeJson } from './respond.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface KeyRoutesDeps {
  readonly config: GatewayConfig;
  readonly sessions: SessionStore;
  readonly certs: CertificateStore;
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
  if (session === undefined) {
    apiError(res, 400, malformed);
    return undefined;
  }
  // Fields Hookgate fills itself, and a password Hookgate cannot hash yet, are not taken from a client.
  if (typeof session.basic_auth_data?.password === 'string' && session.basic_auth_data.password !== '') {
    apiError(res, 400, 'basic_auth_data.password is not supported yet: basic auth keys cannot be created');
    return undefined;
  }
  return session;
}

function lifetimeOf(session: SessionJson, config: GatewayConfig): number {
  const s = config.sessions;
  return sessionLifetime(session, { apiSessionLifetime: 0, respectsKeyExpiration: s.lifetimeRespectsKeyExpiration, forceGlobal: s.forceGlobalLifetime, globalSessionLifetime: s.globalLifetime });
}

function changed(res: ServerResponse, deps: KeyRoutesDeps, key: string, action: 'added' | 'modified' | 'deleted'): void {
  const body: Record<string, string> = { key, status: 'ok', action };
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

/** Counters of a key: its rate-limit log and quota, under the key's identity. */
function counterKeys(deps: KeyRoutesDeps, keyId: string, byHash: boolean): string[] {
  const identity = byHash || !deps.config.sessions.hashKeys ? keyId : hashKey(keyId);
  return [`quota-${identity}`, `rate-limit-${identity}`];
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
    const session = await readSession(req, res, 'Request malformed');
    if (session === undefined) return;
    if (!config.tyk.allow_master_keys && Object.keys(session.access_rights ?? {}).length === 0) {
      apiError(res, 500, 'Failed to create key, ensure security settings are correct.');
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
    await sessions.save(key, session, lifetimeOf(session, config));
    deps.logger.info({ action: 'added' }, 'key created');
    changed(res, deps, key, 'added');
    return;
  }

  if (method === 'POST') {
    if (name.length < config.sessions.minTokenLength) {
      const m = config.sessions.minTokenLength;
      apiError(res, 400, `custom key ID length ${name.length} is less than min_token_length (${m}); the key would be unreachable at auth time. Use an ID of at least min_token_length characters, or lower min_token_length in the gateway configuration.`);
      return;
    }
    const session = await readSession(req, res, 'Request malformed');
    if (session === undefined) return;
    if (!config.tyk.allow_master_keys && Object.keys(session.access_rights ?? {}).length === 0) {
      apiError(res, 500, 'Failed to create key, ensure security settings are correct.');
      return;
    }
    if (!(await bindingsValid(res, deps, session))) return;
    const key = generateToken(session.org_id ?? '', name, config.sessions.hashKeyFunction);
    await sessions.save(key, session, lifetimeOf(session, config));
    deps.logger.info({ action: 'added' }, 'key created with a chosen name');
    changed(res, deps, key, 'added');
    return;
  }

  const located = await locate(deps, name, url);
  if (located === 'bad_hash') {
    apiError(res, 400, 'Key requested by hash but key hashing is not enabled');
    return;
  }
  if (method === 'GET') {
    if (located === undefined) apiError(res, 404, 'Key not found');
    else writeJson(res, 200, located.session);
    return;
  }
  if (method === 'PUT') {
    if (located === undefined) {
      apiError(res, 404, 'Key is not found');
      return;
    }
    const update = await readSession(req, res, 'Request malformed');
    if (update === undefined) return;
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
    for (const counter of counterKeys(deps, located.keyId, located.byHash)) await sessions.store.delete(counter);
    changed(res, deps, located.keyId, 'deleted');
    return;
  }
  apiError(res, 405, 'Method not supported');
}
