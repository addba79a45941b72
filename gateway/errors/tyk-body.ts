/**
 * Tyk's error response bodies. Tyk renders `templates/error.json` (or `error.xml` when the request
 * is XML), so clients that parse Tyk errors byte for byte get the same bytes from us.
 */

const XML_CONTENT_TYPES = new Set(['application/xml', 'text/xml', 'application/soap+xml']);

/** The XML content type of a request, if it has one; Tyk answers XML requests in XML. */
export function xmlContentTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const semi = contentType.indexOf(';');
  const mediaType = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return XML_CONTENT_TYPES.has(mediaType) ? mediaType : undefined;
}

/** Go's json.Marshal escapes <, > and & (and the two JS line separators) inside strings. */
export function goJsonString(value: string): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Go's html/template HTMLEscapeString. */
export function goHtmlEscape(value: string): string {
  return value.replace(/[&'<>"\0]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case "'":
        return '&#39;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&#34;';
      default:
        return '\uFFFD';
    }
  });
}

export function jsonErrorBody(message: string): string {
  return `{\n    "error": ${goJsonString(message)}\n}`;
}

export function xmlErrorBody(message: string): string {
  return `<?xml version = "1.0" encoding = "UTF-8"?>\n<error>${goHtmlEscape(message)}</error>\n`;
}
