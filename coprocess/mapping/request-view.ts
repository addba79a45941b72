/** What a request hook sees of a request, whatever holds it (the gateway's request context). */
export interface HookRequestView {
  readonly method: string;
  /** The current path (after earlier hooks), dot segments resolved. */
  readonly path: string;
  /** The current raw query without "?". */
  readonly query: string;
  /** The request target exactly as the client sent it. */
  readonly requestUri: string;
  readonly scheme: 'http' | 'https';
  /** Current headers as a flat [name, value, ...] list. */
  readonly headers: readonly string[];
  /** The buffered body (empty when there is none). */
  readonly body: Buffer;
}

/** The changes a reply asks for, ready to apply; computed without touching the request. */
export interface RequestChanges {
  readonly body: Buffer;
  readonly deleteHeaders: readonly string[];
  /** [canonical name, value] pairs, each replacing every value of that header. */
  readonly setHeaders: readonly (readonly [string, string])[];
  readonly path: string;
  readonly query: string;
  readonly method: string;
}
