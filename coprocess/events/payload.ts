/** Go's `time.Time.String()` layout: "2006-01-02 15:04:05.999999999 -0700 MST" (in UTC here). */
export function goTimeString(date: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const fraction = date.getUTCMilliseconds() === 0 ? '' : `.${pad(date.getUTCMilliseconds(), 3)}`.replace(/0+$/, '');
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction} +0000 UTC`;
}

/** The request as raw HTTP/1.1 bytes, base64: Tyk's `OriginatingRequest`. */
export function originatingRequest(method: string, requestUri: string, headers: readonly string[], body: Buffer): string {
  let head = `${method} ${requestUri} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i] as string}: ${headers[i + 1] as string}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]).toString('base64');
}

export interface EventSource {
  readonly apiId: string;
  readonly orgId: string;
}

/** `Event.payload` of protocol.md 2.12: exactly the keys message, handler_name, spec. */
export function eventPayload(type: string, meta: Readonly<Record<string, unknown>>, handlerName: string, source: EventSource, now = new Date()): string {
  return JSON.stringify({
    message: { Type: type, Meta: meta, TimeStamp: goTimeString(now) },
    handler_name: handlerName,
    spec: { APIID: source.apiId, OrgID: source.orgId },
  });
}
