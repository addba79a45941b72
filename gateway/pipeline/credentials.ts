import type { ApiDefinition } from '../apidef/index.js';
import type { RequestContext } from './request-context.js';

type AuthConfig = ApiDefinition['auth_configs'][string];

function cookieValue(header: string | undefined, name: string): string {
  if (header === undefined) return '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return '';
}

function queryValue(query: string, name: string): string {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (safeDecode(key) === name) return eq === -1 ? '' : safeDecode(pair.slice(eq + 1));
  }
  return '';
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * Tyk's getAuthToken: the header (unless disabled; `auth_header_name`, default Authorization),
 * replaced by a non-empty query parameter when `use_param`, replaced by a non-empty cookie when
 * `use_cookie`. A non-empty header name is also the default parameter and cookie name.
 */
export function readCredential(ctx: RequestContext, config: AuthConfig | undefined): string {
  const headerName = config?.auth_header_name || 'Authorization';
  let key = config?.disable_header === true ? '' : (ctx.header(headerName) ?? '');
  if (config?.use_param === true) {
    const fromQuery = queryValue(ctx.query, config.param_name || headerName);
    if (fromQuery !== '') key = fromQuery;
  }
  if (config?.use_cookie === true) {
    const fromCookie = cookieValue(ctx.header('cookie'), config.cookie_name || headerName);
    if (fromCookie !== '') key = fromCookie;
  }
  return key;
}

/** Tyk's stripBearer: a leading "Bearer " (any case), only on values longer than 6 characters. */
export function stripBearer(key: string): string {
  return key.length > 6 && key.slice(0, 7).toLowerCase() === 'bearer ' ? key.slice(7) : key;
}
