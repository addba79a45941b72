import { isUtf8 } from 'node:buffer';
import type { MiniRequestObject, MiniRequestObject__Output } from '../protocol/index.js';
import { canonicalHeaderKey, encodeQuery, parseQuery, parseRequestUri } from './go-http.js';
import type { HookRequestView, RequestChanges } from './request-view.js';

/** First value of each header under its canonical name, as Go's request headers give it. */
export function firstValues(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const key = canonicalHeaderKey(flat[i] as string);
    if (!(key in out)) out[key] = flat[i + 1] as string;
  }
  return out;
}

/** The URL a hook sees: path and query, as Go's `r.URL.String()` for a server request. */
export const urlOf = (view: Pick<HookRequestView, 'path' | 'query'>): string => (view.query === '' ? view.path : `${view.path}?${view.query}`);

/** `MiniRequestObject` of protocol.md 2.3. */
export function buildMiniRequest(view: HookRequestView, rawBodyOnly: boolean): MiniRequestObject {
  const params: Record<string, string> = {};
  for (const [key, values] of parseQuery(view.query)) params[key] = values[0] ?? '';
  return {
    headers: firstValues(view.headers),
    set_headers: {},
    delete_headers: [],
    body: !rawBodyOnly && view.body.length > 0 && isUtf8(view.body) ? view.body.toString('utf8') : '',
    url: urlOf(view),
    params,
    add_params: {},
    extended_params: {},
    delete_params: [],
    return_overrides: { response_code: -1 },
    method: view.method,
    request_uri: view.requestUri,
    scheme: view.scheme,
    raw_body: view.body,
  };
}

/** RFC 9110 5.6.2 token. */
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export type ChangesResult = { readonly ok: true; readonly changes: RequestChanges | undefined } | { readonly ok: false; readonly reason: string };

/**
 * What a hook's returned request asks to change (protocol.md 2.5), in Tyk's order. A reply
 * without a request changes nothing (Tyk would crash). Choices where Tyk is accidental
 * (docs/hooks.md): a query the plugin wrote into `url` is kept rather than discarded; an empty
 * `method` keeps the current method.
 */
export function computeRequestChanges(view: HookRequestView, returned: MiniRequestObject__Output | null): ChangesResult {
  if (returned === null) return { ok: true, changes: undefined };
  const parsed = parseRequestUri(returned.url);
  if (parsed === undefined) return { ok: false, reason: `the plugin returned an invalid url ${JSON.stringify(returned.url)}` };
  // A method that is not an HTTP token, or CONNECT (a tunnel, not a request to forward), would
  // fail in the upstream client and look like an unreachable upstream (502).
  if (returned.method !== '' && (!METHOD_TOKEN.test(returned.method) || returned.method.toUpperCase() === 'CONNECT')) {
    return { ok: false, reason: `the plugin returned an invalid method ${JSON.stringify(returned.method.slice(0, 40))}` };
  }

  const setHeaders = Object.entries(returned.set_headers).map(([name, value]) => [canonicalHeaderKey(name), value] as const);
  const paramsChanged = returned.delete_params.length > 0 || Object.keys(returned.add_params).length > 0;
  const urlQueryChanged = parsed.query !== view.query;
  let query = view.query;
  if (paramsChanged) {
    const values = parseQuery(urlQueryChanged ? parsed.query : view.query);
    for (const name of returned.delete_params) values.delete(name);
    for (const [name, value] of Object.entries(returned.add_params)) values.set(name, [value]);
    query = encodeQuery(values);
  } else if (urlQueryChanged) {
    query = parsed.query;
  }
  return {
    ok: true,
    changes: {
      body: returned.raw_body,
      deleteHeaders: returned.delete_headers,
      setHeaders,
      path: parsed.path,
      query,
      method: returned.method === '' ? view.method : returned.method,
    },
  };
}
