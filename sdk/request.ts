import type { MiniRequestObject__Output } from '../coprocess/protocol/index.js';
import { bodyBytes, bodyJson, bodyText, setBody, setJsonBody } from './body.js';
import { deleteHeaderKeys, findHeaderKey, requireName, requireString } from './headers.js';

/**
 * The request a hook sees, over the protocol's MiniRequestObject. `headers` and `params` are the
 * gateway's read-only views; changes are recorded in `set_headers`/`delete_headers` and
 * `add_params`/`delete_params`, which is what the gateway applies (Tyk ignores edits to the views).
 * Getters reflect the changes made so far in this hook.
 */
export class HookRequest {
  /**
   * The protocol object itself (Tyk Python's `request.object`): every field, for what the helpers
   * do not cover. What is in it when the handler returns is the reply.
   */
  readonly object: MiniRequestObject__Output;

  constructor(object: MiniRequestObject__Output) {
    this.object = object;
  }

  /** The method, e.g. `GET`. Setting it changes the method sent upstream. */
  get method(): string {
    return this.object.method;
  }
  set method(value: string) {
    requireName(value, 'request.method');
    this.object.method = value;
  }

  /**
   * The URL as the gateway sent it: origin-form path (with the listen path) and query, e.g.
   * `/my-api/users?id=1`. Setting it changes the upstream path; change the query through
   * addParam/deleteParam, because Tyk drops a query written into `url`.
   */
  get url(): string {
    return this.object.url;
  }
  set url(value: string) {
    requireName(value, 'request.url');
    this.object.url = value;
  }

  /** The URL's path, without the query. */
  get path(): string {
    const q = this.object.url.indexOf('?');
    return q === -1 ? this.object.url : this.object.url.slice(0, q);
  }

  /** `http` or `https`, as the client connected. */
  get scheme(): string {
    return this.object.scheme;
  }

  /** The request target exactly as received. */
  get requestUri(): string {
    return this.object.request_uri;
  }

  /** The headers as received (first value of each, Go-canonical names, plus `Host`). Read-only. */
  get headers(): Readonly<Record<string, string>> {
    return this.object.headers;
  }

  /** The query parameters as received (first value of each). Read-only. */
  get params(): Readonly<Record<string, string>> {
    return this.object.params;
  }

  /**
   * A header's value, case-insensitively, including changes made in this hook.
   *
   * @example
   * const key = request.getHeader('authorization'); // finds `Authorization`
   */
  getHeader(name: string): string | undefined {
    const set = findHeaderKey(this.object.set_headers, name);
    if (set !== undefined) return this.object.set_headers[set];
    const lower = name.toLowerCase();
    if (this.object.delete_headers.some((h) => h.toLowerCase() === lower)) return undefined;
    const key = findHeaderKey(this.object.headers, name);
    return key === undefined ? undefined : this.object.headers[key];
  }

  /**
   * Sets a header on the request sent upstream (replacing its values).
   *
   * @example
   * request.setHeader('X-User-Id', user.id);
   */
  setHeader(name: string, value: string): this {
    requireName(name, 'request.setHeader(name)');
    requireString(value, `request.setHeader(${JSON.stringify(name)}, value)`);
    deleteHeaderKeys(this.object.set_headers, name);
    this.object.set_headers[name] = value;
    const lower = name.toLowerCase();
    this.object.delete_headers = this.object.delete_headers.filter((h) => h.toLowerCase() !== lower);
    return this;
  }

  /**
   * Removes a header from the request sent upstream.
   *
   * @example
   * request.deleteHeader('Authorization'); // do not pass the credential on
   */
  deleteHeader(name: string): this {
    requireName(name, 'request.deleteHeader(name)');
    deleteHeaderKeys(this.object.set_headers, name);
    const lower = name.toLowerCase();
    if (!this.object.delete_headers.some((h) => h.toLowerCase() === lower)) this.object.delete_headers.push(name);
    return this;
  }

  /**
   * A query parameter's value, including changes made in this hook.
   *
   * @example
   * const page = Number(request.getParam('page') ?? '1');
   */
  getParam(name: string): string | undefined {
    if (Object.hasOwn(this.object.add_params, name)) return this.object.add_params[name];
    if (this.object.delete_params.includes(name)) return undefined;
    return Object.hasOwn(this.object.params, name) ? this.object.params[name] : undefined;
  }

  /**
   * Sets a query parameter on the request sent upstream (replacing its values, as Tyk's `Set`).
   *
   * @example
   * request.addParam('tenant', 'acme');
   */
  addParam(name: string, value: string): this {
    requireName(name, 'request.addParam(name)');
    requireString(value, `request.addParam(${JSON.stringify(name)}, value)`);
    this.object.add_params[name] = value;
    this.object.delete_params = this.object.delete_params.filter((p) => p !== name);
    return this;
  }

  /**
   * Removes a query parameter from the request sent upstream.
   *
   * @example
   * request.deleteParam('api_key');
   */
  deleteParam(name: string): this {
    requireName(name, 'request.deleteParam(name)');
    delete this.object.add_params[name];
    if (!this.object.delete_params.includes(name)) this.object.delete_params.push(name);
    return this;
  }

  /**
   * The body as bytes (the protocol's `raw_body`).
   *
   * @example
   * const digest = createHash('sha256').update(request.bytes()).digest('hex');
   */
  bytes(): Buffer {
    return bodyBytes(this.object);
  }

  /**
   * The body decoded as UTF-8.
   *
   * @example
   * if (request.text().includes('DROP TABLE')) return deny(400, 'Bad Request');
   */
  text(): string {
    return bodyText(this.object);
  }

  /**
   * The body parsed as JSON; throws a SyntaxError naming the problem when it is not JSON.
   *
   * @example
   * const { userId } = request.json<{ userId: string }>();
   */
  json<T = unknown>(): T {
    return bodyJson(this.object, 'request') as T;
  }

  /**
   * Replaces the body sent upstream (the gateway sets Content-Length).
   *
   * @example
   * request.setBody('plain text');
   */
  setBody(body: string | Uint8Array): this {
    setBody(this.object, body, 'request');
    return this;
  }

  /**
   * Replaces the body sent upstream with `value` as JSON. Content-Type is left as it is.
   *
   * @example
   * request.setJson({ ...request.json<object>(), tenant: 'acme' });
   */
  setJson(value: unknown): this {
    setJsonBody(this.object, value, 'request');
    return this;
  }
}
