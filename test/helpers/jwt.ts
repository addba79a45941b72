import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT, UnsecuredJWT, type JWK, type JWTPayload } from 'jose';
import { keylessApi } from './apis.js';

export const now = () => Math.floor(Date.now() / 1000);
export const b64 = (text: string) => Buffer.from(text).toString('base64');
/** A Classic JWT API at `/<id>/` of org `orgId`, whose new sessions come from the policy "open". */
export const jwtApi = (id: string, target: string, fields: Record<string, unknown>, orgId = 'org1') => ({
  ...keylessApi(id, `/${id}/`, target),
  org_id: orgId,
  use_keyless: false,
  enable_jwt: true,
  jwt_default_policies: ['open'],
  ...fields,
});
/** Claims of a valid token for alice, valid for 10 minutes, with `extra` over them. */
export const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'alice', exp: now() + 600, ...extra });
export const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

export const rsaKeys = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
export const ecKeys = (namedCurve = 'P-256') => generateKeyPairSync('ec', { namedCurve });

/** A signed JWT; `key` is a private KeyObject or an HMAC secret. */
export function sign(claims: JWTPayload, alg: string, key: KeyObject | string, header: Record<string, unknown> = {}): Promise<string> {
  const secret = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  return new SignJWT(claims).setProtectedHeader({ ...header, alg }).sign(secret);
}

/** `alg: none`: no signature at all. */
export const unsigned = (claims: JWTPayload) => new UnsecuredJWT(claims).encode();

/** The same token with its payload replaced (the signature no longer matches). */
export function tamper(token: string, claims: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

export async function publicJwk(key: KeyObject, kid: string, alg?: string): Promise<JWK> {
  return { ...(await exportJWK(key)), kid, ...(alg === undefined ? {} : { alg }), use: 'sig' };
}

export interface JwksServer {
  readonly url: string;
  /** Requests served so far. */
  fetches(): number;
  setKeys(keys: JWK[]): void;
  /** Answer with this status (and no keys) until set back to 200. */
  setStatus(status: number): void;
  close(): Promise<void>;
}

/** An IdP's JWKS endpoint on 127.0.0.1. */
export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  let current = keys;
  let status = 200;
  let count = 0;
  const server: Server = createServer((_req, res) => {
    count++;
    const body = status === 200 ? JSON.stringify({ keys: current }) : '{"error":"down"}';
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => count,
    setKeys: (next) => (current = next),
    setStatus: (next) => (status = next),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
