import { createHmac } from 'node:crypto';

/**
 * Credentials for each auth method, valid and invalid, as a client sends them, computed here
 * independently of the gateway's code (node:crypto only). Each method reads its own header so
 * that several can be combined in one request.
 */
export type Method = 'basic' | 'hmac' | 'jwt' | 'custom' | 'token';

/** Tyk's fixed order (seed 002): the order methods run in inside an AND group. */
export const TYK_ORDER: readonly Method[] = ['basic', 'hmac', 'jwt', 'custom', 'token'];

/** Each method's session has its own rate, so the X-RateLimit-Limit header tells which one was chosen. */
export const RATE: Record<Method, number> = { basic: 1001, hmac: 1002, jwt: 1003, custom: 1004, token: 1005 };

export const BASE_IDENTITY: Record<Method, string> = { basic: 'basic_auth_user', hmac: 'hmac_key', jwt: 'jwt_claim', custom: 'custom_auth', token: 'auth_token' };

/** The status and Tyk error text of each method given a wrong credential. */
export const INVALID: Record<Method, { status: number; message: string }> = {
  basic: { status: 401, message: 'User not authorised' },
  hmac: { status: 400, message: 'Authorization field missing, malformed or invalid' },
  jwt: { status: 403, message: 'Key not authorized' },
  custom: { status: 403, message: 'Forbidden' },
  token: { status: 403, message: 'Access to this API has been disallowed' },
};

export const HEADERS = { basic: 'Authorization', hmac: 'X-Signature', jwt: 'X-JWT', custom: 'X-Plugin', token: 'X-API-Key' } as const;

export const KEYS = {
  basicUser: 'basicuser',
  basicPassword: 'basic-pw',
  hmacKey: 'hmac-key',
  hmacSecret: 'hmac-secret-value',
  jwtKid: 'jwt-kid',
  jwtSecret: 'jwt-secret-value',
  token: 'token-key',
  pluginValid: 'plugin-ok',
  pluginInvalid: 'plugin-bad',
} as const;

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/** An HS256 JWT signed with `secret`, kid = the one-to-one key. */
export function hs256(secret: string, payload: Record<string, unknown> = {}, kid: string = KEYS.jwtKid): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify({ sub: 'user-1', exp: Math.floor(Date.now() / 1000) + 600, ...payload }));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** Tyk's HMAC signature over the Date header: `Signature keyId=...,algorithm=...,signature=...`. */
export function hmacSignature(secret: string, date: string, keyId: string = KEYS.hmacKey): string {
  const signature = encodeURIComponent(createHmac('sha256', secret).update(`date: ${date}`).digest('base64'));
  return `Signature keyId="${keyId}",algorithm="hmac-sha256",signature="${signature}"`;
}

/** The headers that carry `method`'s credential, valid or not. */
export function credentialHeaders(method: Method, valid: boolean): Record<string, string> {
  switch (method) {
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${KEYS.basicUser}:${valid ? KEYS.basicPassword : 'wrong'}`).toString('base64')}` };
    case 'hmac': {
      const date = new Date().toUTCString();
      return { date, 'x-signature': hmacSignature(valid ? KEYS.hmacSecret : 'not-the-secret', date) };
    }
    case 'jwt':
      return { 'x-jwt': `Bearer ${hs256(valid ? KEYS.jwtSecret : 'not-the-secret')}` };
    case 'custom':
      return { 'x-plugin': valid ? KEYS.pluginValid : KEYS.pluginInvalid };
    case 'token':
      return { 'x-api-key': valid ? KEYS.token : 'no-such-key' };
  }
}

/** Every combination of `size` methods, each in Tyk's order. */
export function combinations(size: number, from: readonly Method[] = TYK_ORDER): Method[][] {
  if (size === 0) return [[]];
  const out: Method[][] = [];
  from.forEach((first, i) => {
    for (const rest of combinations(size - 1, from.slice(i + 1))) out.push([first, ...rest]);
  });
  return out;
}

/** The key sessions the control API stores for the key-based methods. */
export function keyBodies(orgId: string, apiIds: readonly string[]): Record<string, Record<string, unknown>> {
  const rights = Object.fromEntries(apiIds.map((id) => [id, { api_id: id, api_name: id, versions: ['Default'] }]));
  const base = (rate: number) => ({ org_id: orgId, rate, per: 60, access_rights: rights });
  return {
    [KEYS.basicUser]: { ...base(RATE.basic), basic_auth_data: { password: KEYS.basicPassword } },
    [KEYS.hmacKey]: { ...base(RATE.hmac), hmac_enabled: true, hmac_string: KEYS.hmacSecret },
    [KEYS.jwtKid]: { ...base(RATE.jwt), jwt_data: { secret: KEYS.jwtSecret } },
    [KEYS.token]: base(RATE.token),
  };
}
