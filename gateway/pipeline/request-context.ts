import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HookRequestView, RequestChanges } from '../../coprocess/mapping/index.js';
import type { SessionJson } from '../session/index.js';
import type { ApiSpec } from '../apidef/index.js';
import type { Exchange } from '../proxy/index.js';
import { removeDotSegments } from '../routing/index.js';

const EMPTY = Buffer.alloc(0);

/**
 * An HTTP/2 request's headers as HTTP/1.1 has them: pseudo-headers (`:method`, `:path`, ...)
 * dropped, `:authority` as Host when the client sent no Host, so hooks and the upstream see the
 * same request whichever protocol the client spoke.
 */
function http2Headers(raw: readonly string[]): string[] {
  const out: string[] = [];
  let authority: string | undefined;
  let host = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name === ':authority') authority = raw[i + 1];
    if (name.startsWith(':')) continue;
    if (name.toLowerCase() === 'host') host = true;
    out.push(name, raw[i + 1] as string);
  }
  if (!host && authority !== undefined) out.unshift('host', authority);
  return out;
}

/**
 * One request on its way through an API's stages. Hooks change it here; the proxy sends what it
 * holds. Headers stay the client's raw list until a hook edits them, so a request no hook touches
 * costs no copies.
 */
export class RequestContext implements HookRequestView, Exchange {
  method: string;
  path: string;
  query: string;
  /** Length of the listen path at the start of `path` (stripped when the API asks), 0 if absent. */
  prefixLength: number;
  readonly requestUri: string;
  readonly scheme: 'http' | 'https';
  /** The body read for hooks; undefined while it still streams from the client. */
  buffered: Buffer | undefined;
  /** The session the auth stage attached, as Tyk stores it. */
  session: SessionJson | undefined;
  /** The key the session is stored under (Tyk's KeyID): the identity for limits and quotas. */
  sessionKey: string | undefined;
  /** Set when a stage changed the session: it is written back before the upstream is called. */
  sessionModified = false;
  /** Largest body the client may send: the gateway's and the API's limit (docs/limits.md). */
  maxBodyBytes = Infinity;
  /** Headers added to whatever response the request gets (rate-limit headers). */
  readonly responseHeaders: string[] = [];
  private headerList: string[];
  private ownHeaders = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly api: ApiSpec,
    readonly clientIp: string,
    readonly started: number,
    path: string,
    query: string,
    prefixLength: number,
    readonly closing: () => boolean,
  ) {
    this.method = req.method ?? 'GET';
    this.path = path;
    this.query = query;
    this.prefixLength = prefixLength;
    this.requestUri = req.url ?? path;
    this.scheme = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
    this.headerList = req.httpVersionMajor === 2 ? http2Headers(req.rawHeaders) : req.rawHeaders;
  }

  get headers(): readonly string[] {
    return this.headerList;
  }

  /** The body for hooks and upstream: the buffered one, or empty. */
  get body(): Buffer {
    return this.buffered ?? EMPTY;
  }

  /** First value of a header, any case. */
  header(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (let i = 0; i < this.headerList.length; i += 2) if ((this.headerList[i] as string).toLowerCase() === lower) return this.headerList[i + 1];
    return undefined;
  }

  private editable(): string[] {
    if (!this.ownHeaders) {
      this.headerList = [...this.headerList];
      this.ownHeaders = true;
    }
    return this.headerList;
  }

  deleteHeader(name: string): void {
    const lower = name.toLowerCase();
    const list = this.editable();
    this.headerList = list.filter((_, i) => (list[i - (i % 2)] as string).toLowerCase() !== lower);
  }

  /** Replaces every value of the header (Go's Header.Set). */
  setHeader(name: string, value: string): void {
    this.deleteHeader(name);
    this.editable().push(name, value);
  }

  /**
   * A copy of the request's state for one auth alternative: changes to it (headers, URL, body,
   * session) stay in the copy until `adopt` takes them, so an alternative that fails leaves no
   * trace. Headers are shared until either side edits them.
   */
  fork(): RequestContext {
    const copy = new RequestContext(this.req, this.res, this.api, this.clientIp, this.started, this.path, this.query, this.prefixLength, this.closing);
    copy.method = this.method;
    copy.maxBodyBytes = this.maxBodyBytes;
    copy.buffered = this.buffered;
    copy.session = this.session;
    copy.sessionKey = this.sessionKey;
    copy.sessionModified = this.sessionModified;
    copy.headerList = this.headerList;
    this.ownHeaders = false;
    return copy;
  }

  /** Takes over the state of a fork whose alternative passed. */
  adopt(fork: RequestContext): void {
    this.method = fork.method;
    this.path = fork.path;
    this.query = fork.query;
    this.prefixLength = fork.prefixLength;
    this.buffered = fork.buffered;
    this.session = fork.session;
    this.sessionKey = fork.sessionKey;
    this.sessionModified = fork.sessionModified;
    this.headerList = fork.headerList;
    this.ownHeaders = false;
    this.responseHeaders.push(...fork.responseHeaders);
  }

  /** Applies a hook's changes in Tyk's order: body, delete headers, set headers, URL, method. */
  apply(changes: RequestChanges): void {
    this.buffered = changes.body;
    for (const name of changes.deleteHeaders) this.deleteHeader(name);
    for (const [name, value] of changes.setHeaders) this.setHeader(name, value);
    const path = changes.path.startsWith('/') ? removeDotSegments(changes.path) : `/${changes.path}`;
    if (path !== this.path) {
      this.path = path;
      const prefix = this.api.routePrefix;
      const under = prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
      this.prefixLength = prefix !== '/' && under ? prefix.length : 0;
    }
    this.query = changes.query;
    this.method = changes.method;
  }
}
