/**
 * Builds the Object a gateway sends for a request, as Tyk's `BuildObject` does (protocol.md §2.3):
 * Go-canonical header names with the first value of each plus `Host`, the query's first values in
 * `params`, `url` = path and query, `return_overrides.response_code` = -1, the `spec` map with
 * config_data as Go JSON, and a session only for hooks that run after authentication.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { CoprocessObject, HookType__Output } from '../../coprocess/protocol/index.js';
import { canonicalHeaderKey } from '../headers.js';
import { HOOK_TYPE_OF_KIND, type HookKind } from '../hook-types.js';
import { Session, type SessionInit } from '../session.js';
import { goJsonMarshal } from './go-json.js';

export interface UpstreamResponseInit {
  readonly status?: number;
  /** A name with several values is sent as several values (e.g. Set-Cookie). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Uint8Array;
}

interface State {
  readonly method: string;
  readonly path: string;
  /** Raw query from `.url()`, or undefined to encode `query`. */
  readonly rawQuery: string | undefined;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly host: string;
  readonly scheme: 'http' | 'https';
  readonly body: Buffer;
  readonly rawBodyOnly: boolean;
  readonly apiId: string;
  readonly orgId: string;
  readonly bundle: string;
  readonly configData: Readonly<Record<string, unknown>> | undefined;
  readonly session: SessionInit | undefined;
  readonly upstream: UpstreamResponseInit | undefined;
}

const INITIAL: State = {
  method: 'GET', path: '/', rawQuery: undefined, query: [], headers: [], host: 'localhost:8080', scheme: 'http',
  body: Buffer.alloc(0), rawBodyOnly: false, apiId: 'test-api', orgId: 'test-org', bundle: '', configData: undefined,
  session: undefined, upstream: undefined,
};

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const toBuffer = (body: string | Uint8Array) => (typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body));

/**
 * An immutable description of a request as it reaches a hook; each method returns a new builder,
 * so a base request can be shared between tests. Start one with `hookRequest()`.
 */
export class RequestBuilder {
  private constructor(private readonly state: State) {}

  /** @example RequestBuilder.create().get('/') (the same as hookRequest().get('/')) */
  static create(): RequestBuilder {
    return new RequestBuilder(INITIAL);
  }

  private with(change: Partial<State>): RequestBuilder {
    return new RequestBuilder({ ...this.state, ...change });
  }

  /** The method (default `GET`). @example hookRequest().method('PUT') */
  method(method: string): RequestBuilder {
    return this.with({ method: method.toUpperCase() });
  }

  /** The path, with the API's listen path, as the gateway sends it. @example hookRequest().path('/my-api/users') */
  path(path: string): RequestBuilder {
    return this.with({ path: path.startsWith('/') ? path : `/${path}` });
  }

  /** Path and query as one request target; the query is kept as written. @example hookRequest().url('/my-api/users?id=1') */
  url(target: string): RequestBuilder {
    const q = target.indexOf('?');
    if (q === -1) return this.path(target).with({ rawQuery: undefined, query: [] });
    const rawQuery = target.slice(q + 1);
    return this.path(target.slice(0, q)).with({ rawQuery, query: [...new URLSearchParams(rawQuery)] });
  }

  /** A GET of a request target. @example hookRequest().get('/my-api/users?id=1') */
  get(target: string): RequestBuilder {
    return this.method('GET').url(target);
  }

  /** A POST to a request target (add `.body()` or `.json()`). @example hookRequest().post('/my-api/orders').json({ sku: 'a1' }) */
  post(target: string): RequestBuilder {
    return this.method('POST').url(target);
  }

  /** Adds a header value; the same name again adds a second value. @example hookRequest().header('Authorization', KEY) */
  header(name: string, value: string): RequestBuilder {
    return this.with({ headers: [...this.state.headers, [name, value]] });
  }

  /** Adds several headers. @example hookRequest().headers({ Accept: 'application/json', 'X-Tenant': 'acme' }) */
  headers(headers: Readonly<Record<string, string>>): RequestBuilder {
    return this.with({ headers: [...this.state.headers, ...Object.entries(headers)] });
  }

  /** Adds a query parameter value. @example hookRequest().get('/my-api/items').query('page', '2') */
  query(name: string, value: string): RequestBuilder {
    return this.with({ query: [...this.state.query, [name, value]], rawQuery: undefined });
  }

  /** The `Host` header (default `localhost:8080`). @example hookRequest().host('api.example.com') */
  host(host: string): RequestBuilder {
    return this.with({ host });
  }

  /** As received over TLS (`scheme` is `https`). @example hookRequest().https() */
  https(): RequestBuilder {
    return this.with({ scheme: 'https' });
  }

  /** The body, as text or bytes. @example hookRequest().post('/my-api/upload').body(Buffer.from([1, 2, 3])) */
  body(body: string | Uint8Array): RequestBuilder {
    return this.with({ body: toBuffer(body) });
  }

  /** A JSON body, with `Content-Type: application/json`. @example hookRequest().post('/my-api/login').json({ user: 'ann' }) */
  json(value: unknown): RequestBuilder {
    return this.body(JSON.stringify(value)).header('Content-Type', 'application/json');
  }

  /** As a hook with `raw_body_only: true` gets it: no text copy of the body. @example hookRequest().body('x').rawBodyOnly() */
  rawBodyOnly(): RequestBuilder {
    return this.with({ rawBodyOnly: true });
  }

  /** The API: id, org id, and bundle name (`spec.bundle_hash` is its MD5). @example hookRequest().api({ id: 'orders', orgId: 'acme' }) */
  api(api: { readonly id?: string; readonly orgId?: string; readonly bundle?: string }): RequestBuilder {
    return this.with({ apiId: api.id ?? this.state.apiId, orgId: api.orgId ?? this.state.orgId, bundle: api.bundle ?? this.state.bundle });
  }

  /** The API definition's `config_data`, sent as Go JSON in `spec.config_data`. @example hookRequest().configData({ tier: 'gold' }) */
  configData(configData: Readonly<Record<string, unknown>>): RequestBuilder {
    return this.with({ configData });
  }

  /** The request's session, which post_key_auth, post and response hooks get. @example hookRequest().session({ rate: 10, per: 1, metadata: { token: 't' } }) */
  session(session: SessionInit): RequestBuilder {
    return this.with({ session });
  }

  /** The upstream's response, which response hooks get (default 200, no headers, empty body). @example hookRequest().upstreamResponse({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'hi' }) */
  upstreamResponse(response: UpstreamResponseInit): RequestBuilder {
    return this.with({ upstream: response });
  }

  /**
   * The Object a gateway sends to call hook `hookName` of this kind for this request (kind
   * undefined: hook_type `Unknown`, as a client that leaves it out).
   *
   * @example
   * const object = hookRequest().header('Authorization', KEY).build('MyAuthMiddleware', 'auth_check');
   */
  build(hookName: string, kind: HookKind | undefined): CoprocessObject {
    const s = this.state;
    const headers: Record<string, string> = {};
    for (const [name, value] of s.headers) headers[canonicalHeaderKey(name)] ??= value;
    headers['Host'] = s.host;
    const params: Record<string, string> = {};
    for (const [name, value] of s.query) params[name] ??= value;
    const query = s.rawQuery ?? new URLSearchParams(s.query.map(([k, v]): [string, string] => [k, v])).toString();
    const url = query === '' ? s.path : `${s.path}?${query}`;
    const spec: Record<string, string> = { OrgID: s.orgId, APIID: s.apiId, bundle_hash: md5(s.bundle) };
    if (s.configData !== undefined && Object.keys(s.configData).length > 0) spec['config_data'] = goJsonMarshal(s.configData);
    const textOf = (bytes: Buffer) => (!s.rawBodyOnly && isUtf8(bytes) ? bytes.toString('utf8') : '');

    const withSession = kind === 'post' || kind === 'post_key_auth' || kind === 'response';
    const session = withSession && (s.session !== undefined || kind === 'response') ? new Session().assign(s.session ?? {}).toProto() : null;
    const object: CoprocessObject = {
      hook_type: (kind === undefined ? 'Unknown' : HOOK_TYPE_OF_KIND[kind]) satisfies HookType__Output,
      hook_name: hookName,
      request: {
        headers, set_headers: {}, delete_headers: [], body: textOf(s.body), url, params, add_params: {}, extended_params: {},
        delete_params: [], return_overrides: { response_code: -1 }, method: s.method, request_uri: url, scheme: s.scheme, raw_body: s.body,
      },
      session,
      metadata: session?.metadata ?? {},
      spec,
      response: null,
    };
    if (kind === 'response') {
      const up = s.upstream ?? {};
      const upHeaders: Record<string, string> = {};
      const multivalue: { key: string; values: string[] }[] = [];
      for (const [name, value] of Object.entries(up.headers ?? {})) {
        const key = canonicalHeaderKey(name);
        const values = typeof value === 'string' ? [value] : [...value];
        if (values[0] !== undefined) upHeaders[key] = values[0];
        multivalue.push({ key, values });
      }
      const body = toBuffer(up.body ?? '');
      object.response = { status_code: up.status ?? 200, raw_body: body, body: textOf(body), headers: upHeaders, multivalue_headers: multivalue };
    }
    return object;
  }
}

/**
 * Starts describing a request for a hook test.
 *
 * @example
 * const req = hookRequest().get('/my-api/users?id=1').header('Authorization', KEY).configData({ tier: 'gold' });
 */
export function hookRequest(): RequestBuilder {
  return RequestBuilder.create();
}
