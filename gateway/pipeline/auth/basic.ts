import { compileBasicAuth, type ApiSpec, type AuthScheme } from '../../apidef/index.js';
import { bcryptMatches, digestMatches, dummyBcryptCheck, passwordCheckOf, type FoundSession, type SessionJson } from '../../session/index.js';
import { readCredential } from '../credentials.js';
import type { HookDeps } from '../hooks.js';
import { refusalOf } from '../refusal.js';
import type { RequestContext } from '../request-context.js';
import { storageRefusal } from '../sessions.js';
import { credentialsFromBody, parseBasicCredential, type BasicCredentials } from './basic-credentials.js';
import { PasswordCache } from './basic-cache.js';
import { withPolicies } from './lookup.js';
import { failWith, pass, type AuthFail, type AuthMethodRunner } from './method.js';

/**
 * `WWW-Authenticate: Basic realm="<api name>"`, built once. Tyk writes the name as it is; here a
 * quote or backslash in it is escaped (RFC 7230 quoted-string), control characters become spaces,
 * and the rest is sent as UTF-8 bytes, as Go sends it.
 */
export function basicChallenge(apiName: string): Readonly<Record<string, string>> {
  const quoted = apiName.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ');
  return { 'WWW-Authenticate': Buffer.from(`Basic realm="${quoted}"`, 'utf8').toString('latin1') };
}

/**
 * Tyk's basic auth (BasicAuthKeyIsValid, tyk-config.md 1.4). The credential comes from
 * `auth_configs.basic`'s header, query or cookie (getAuthToken), or, with
 * `basic_auth.extract_from_body` when that fails, from the body. The user is the session stored
 * under generateToken(org_id, user) or the user as sent (and, with hash_key_function, the legacy
 * org_id + user); the password is checked by the session's `basic_auth_data.hash_type`, in
 * constant time, bcrypt off the event loop and remembered per `basic_auth.cache_ttl`. No
 * credential: 401 with the challenge; malformed: 400; unknown user or wrong password: 401 `User
 * not authorised` with the challenge and an AuthFailure event (whose Key is the user, never the
 * credential).
 */
export function basicAuthMethod(scheme: AuthScheme, api: ApiSpec): AuthMethodRunner {
  const compiled = compileBasicAuth(api.definition, scheme.config);
  if (!compiled.ok) throw new Error(`API ${api.id}: ${compiled.errors.map((e) => e.message).join('; ')}`);
  const { body, cacheTtlMs } = compiled.settings;
  const challenge = basicChallenge(api.name);
  const cache = cacheTtlMs === undefined ? undefined : new PasswordCache(cacheTtlMs);
  const notAuthorised = (username: string) => failWith(refusalOf('HG_ERR_BASIC_USER_NOT_AUTHORISED', challenge), username);

  const credentials = (ctx: RequestContext, deps: HookDeps): Extract<BasicCredentials, { ok: true }> | AuthFail => {
    const fromHeader = parseBasicCredential(readCredential(ctx, scheme.config));
    if (fromHeader.ok) return fromHeader;
    // Body mode: any header failure falls through to the body, and its refusals carry no challenge.
    const found = body === undefined ? fromHeader : credentialsFromBody(ctx.body, body);
    if (found.ok) return found;
    if (found.reason !== undefined) deps.log.warn(`basic:${ctx.api.id}:${found.code}`, { api_id: ctx.api.id, reason: found.reason }, 'basic auth credential refused');
    const withChallenge = body === undefined && found.code === 'HG_ERR_AUTH_FIELD_MISSING';
    return failWith(refusalOf(found.code, withChallenge ? challenge : undefined));
  };

  const check = async (found: FoundSession, password: string): Promise<boolean> => {
    const data = found.session.basic_auth_data;
    const stored = data?.password ?? '';
    const hashType = data?.hash_type ?? '';
    if (passwordCheckOf(hashType) !== 'bcrypt') return digestMatches(hashType, stored, password);
    const verify = () => bcryptMatches(stored, password);
    return cache === undefined ? verify() : cache.check(found.keyId, stored, password, verify);
  };

  return {
    method: 'basic',
    scheme,
    async run(ctx, deps) {
      const read = credentials(ctx, deps);
      if (!read.ok) return read;
      const { username, password } = read;
      let found: FoundSession | undefined;
      try {
        found = await lookup(ctx, deps, username);
      } catch (err) {
        return failWith(storageRefusal(ctx, deps.sessions, 'find', err));
      }
      if (found !== undefined) {
        // As Tyk's session check: the policies apply first; ones that cannot apply make it "not found" (logged).
        const session = withPolicies(ctx, deps, found.session);
        found = session === undefined ? undefined : { ...found, session };
      }
      // A session without a password is not a basic-auth user (Tyk's IsBasicAuth). Tyk would let
      // it in with an empty password; Hookgate never does.
      if (found === undefined || !hasPassword(found.session)) {
        // Not Tyk's (it answers at once): the same bcrypt work as a wrong password, so timing does
        // not reveal which users exist.
        await dummyBcryptCheck(password);
        deps.log.warn(`nouser:${ctx.api.id}`, { api_id: ctx.api.id, password_check: 'dummy bcrypt' }, 'Attempted access with non-existent user.');
        return notAuthorised(username);
      }
      if (!(await check(found, password))) {
        deps.log.warn(`badpass:${ctx.api.id}`, { api_id: ctx.api.id }, 'Attempted access with existing user, failed password check.');
        return notAuthorised(username);
      }
      return pass(found.session, found.keyId);
    },
  };
}

const hasPassword = (session: SessionJson): boolean => typeof session.basic_auth_data?.password === 'string' && session.basic_auth_data.password !== '';

/**
 * The user's session: generateToken(org, user), then the user as given (SessionStore.find), and,
 * with a hash_key_function, the legacy `org_id + user` form keys had before it was set.
 */
async function lookup(ctx: RequestContext, deps: HookDeps, username: string): Promise<FoundSession | undefined> {
  const store = deps.sessions.sessions;
  const org = ctx.api.orgId;
  const found = await store.find(org, username);
  if (found !== undefined || store.settings.hashKeyFunction === '') return found;
  const legacy = org + (org !== '' && username.startsWith(org) ? username.slice(org.length) : username);
  return store.find(org, legacy);
}
