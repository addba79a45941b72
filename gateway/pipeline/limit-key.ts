import type { SessionJson } from '../session/index.js';
import type { RequestContext } from './request-context.js';

const VARIABLE = /\$tyk_(meta|context)\.([A-Za-z0-9_.-]+)/g;

function metaValue(session: SessionJson | undefined, path: string): string {
  let value: unknown = session?.meta_data;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function contextValue(ctx: RequestContext, name: string): string {
  if (name === 'path') return ctx.path;
  if (name === 'remote_addr') return ctx.clientIp;
  if (name === 'token') return ctx.sessionKey ?? '';
  if (name.startsWith('headers_')) return ctx.header(name.slice('headers_'.length).replace(/_/g, '-')) ?? '';
  if (name.startsWith('request_data_')) {
    const wanted = name.slice('request_data_'.length);
    for (const pair of ctx.query.split('&')) {
      const [key = '', value = ''] = pair.split('=');
      if (key.replace(/-/g, '_') === wanted) return decodeURIComponent(value.replace(/\+/g, ' '));
    }
    return '';
  }
  if (name.startsWith('cookies_')) {
    const wanted = name.slice('cookies_'.length);
    for (const part of (ctx.header('cookie') ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq !== -1 && part.slice(0, eq).trim().replace(/-/g, '_') === wanted) return part.slice(eq + 1).trim();
    }
  }
  return '';
}

/**
 * `meta_data.rate_limit_pattern` with Tyk's variables expanded: `$tyk_meta.<key>` from the
 * session's metadata (dots walk nested values), `$tyk_context.<var>` from the request (`path`,
 * `remote_addr`, `token`, `headers_<Name>`, `request_data_<param>`, `cookies_<name>`). Unknown
 * variables become "". Undefined when the session has no pattern.
 */
export function expandRateLimitPattern(ctx: RequestContext): string | undefined {
  const pattern = ctx.session?.meta_data?.['rate_limit_pattern'];
  if (typeof pattern !== 'string' || pattern === '') return undefined;
  return pattern.replace(VARIABLE, (_all, kind: string, name: string) => (kind === 'meta' ? metaValue(ctx.session, name) : contextValue(ctx, name)));
}
