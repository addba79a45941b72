import { request, type HttpResult } from './http.js';

export const SECRET = 'test-control-secret';

/** Calls the gateway's control API with the test secret (`null`: no secret header at all). */
export function control(baseUrl: string, method: string, path: string, body?: unknown, secret: string | null = SECRET): Promise<HttpResult> {
  return request(`${baseUrl}${path}`, {
    method,
    headers: { ...(secret === null ? {} : { 'x-tyk-authorization': secret }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** A session for an API, as Tyk's /tyk/keys takes it. */
export function keySession(apiId: string, orgId: string, fields: Record<string, unknown> = {}) {
  return { org_id: orgId, access_rights: { [apiId]: { api_id: apiId, api_name: apiId, versions: ['Default'] } }, ...fields };
}
