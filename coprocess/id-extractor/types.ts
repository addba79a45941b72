import type { Problem } from '../../gateway/validation/index.js';
import type { XPath } from './xpath.js';

/** Where the credential is read from (Tyk's `extract_from`, minus `querystring`, which is refused). */
export type ExtractorSource =
  | { readonly kind: 'header'; readonly headerName: string }
  | { readonly kind: 'form'; readonly paramName: string }
  | { readonly kind: 'body' };

/** What is taken from it (Tyk's `extract_with`). */
export type ExtractorMethod =
  | { readonly kind: 'value' }
  | {
      readonly kind: 'regex';
      /** The expression as configured, in Go's RE2 syntax. */
      readonly expression: string;
      readonly matchIndex: number;
      /** The same expression translated to JavaScript (flags `gu`, maybe `i`); run it through `extract`. */
      readonly regexp: RegExp;
    }
  | { readonly kind: 'xpath'; readonly expression: string; readonly path: XPath };

/** An ID extractor compiled at API load; frozen. */
export interface CompiledIdExtractor {
  readonly source: ExtractorSource;
  readonly method: ExtractorMethod;
}

/**
 * The outcome of compiling an API's ID extractor settings:
 * - `none`: the API has no extractor (disabled, or `extract_with` is not value, regex or xpath),
 *   exactly when Tyk has none; custom auth then calls the plugin on every request;
 * - `compiled`: the extractor to run on each request;
 * - `invalid`: settings Hookgate refuses; the API should not be loaded.
 * Warnings (unknown or unused keys) can come with any of them.
 */
export type IdExtractorCompilation =
  | { readonly status: 'none'; readonly reason: string; readonly warnings: readonly Problem[] }
  | { readonly status: 'compiled'; readonly extractor: CompiledIdExtractor; readonly warnings: readonly Problem[] }
  | { readonly status: 'invalid'; readonly errors: readonly Problem[]; readonly warnings: readonly Problem[] };

/**
 * What extraction reads from a request. The gateway builds it from a request whose body it has
 * already read; extraction never changes anything in it.
 */
export interface ExtractionInput {
  /** The request method. Go parses a urlencoded body into the form only for POST, PUT and PATCH. */
  readonly method: string;
  /**
   * The first value of a request header, the name matched case-insensitively (Go's
   * `Header.Get`); undefined when the request has no such header.
   */
  header(name: string): string | undefined;
  /** The raw query string, without the `?`. */
  readonly rawQuery: string;
  /** The Content-Type header's value; "" when there is none. */
  readonly contentType: string;
  /** The request body as the gateway read it. Read, never changed or consumed. */
  readonly body: Buffer;
}

/** The extracted credential, or why there is none. Reasons are for logs: clients get Tyk's 400. */
export type ExtractionResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/** What Tyk answers, for every extraction failure: 400 `{"error": "Authorization field missing"}`. */
export const EXTRACTION_FAILED_STATUS = 400;
export const EXTRACTION_FAILED_MESSAGE = 'Authorization field missing';
