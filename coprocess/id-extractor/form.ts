import { parseQuery } from '../mapping/index.js';
import type { ExtractionInput } from './types.js';

/** Go's parsePostForm ignores a urlencoded body over 10 MiB ("http: POST too large"). */
export const MAX_FORM_BODY_BYTES = 10 << 20;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Every value of form field `name`, as `r.Form[name]` holds them after Go's `Request.ParseForm`:
 * the query is always parsed; for POST, PUT and PATCH with a Content-Type whose media type is
 * `application/x-www-form-urlencoded` the body is parsed too, and its values come FIRST. The
 * net/http documentation of ParseForm: "Request body parameters take precedence over URL query
 * string values in r.Form" (r.Form starts as a copy of r.PostForm; the query's values are
 * appended). Both use url.ParseQuery's rules (parseQuery). The body Buffer is only read.
 */
export function formValues(input: ExtractionInput, name: string): string[] {
  const fromBody =
    BODY_METHODS.has(input.method) && mediaType(input.contentType) === 'application/x-www-form-urlencoded' && input.body.length <= MAX_FORM_BODY_BYTES
      ? parseQuery(input.body.toString('utf8')).get(name)
      : undefined;
  // concat, not push(...): a body can hold millions of values, more than a call takes arguments.
  return (fromBody ?? []).concat(parseQuery(input.rawQuery).get(name) ?? []);
}

/** mime.ParseMediaType's media type: before any `;`, trimmed, lower case. */
function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}
