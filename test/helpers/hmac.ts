import { createHmac } from 'node:crypto';

export interface Signed {
  readonly method?: string;
  readonly path: string;
  readonly algorithm?: string;
  readonly headers?: Record<string, string>;
  /** Header names to sign; default `(request-target) date`. */
  readonly sign?: readonly string[];
  readonly date?: Date;
}

/**
 * A client's signature, written here from Tyk's scheme with node:crypto (not with the gateway's
 * code): the signing string, HMAC, base64, then URL query escaping.
 */
export function signedHeaders(keyId: string, secret: string, spec: Signed): Record<string, string> {
  const method = spec.method ?? 'GET';
  const algorithm = spec.algorithm ?? 'hmac-sha256';
  const headers: Record<string, string> = { date: (spec.date ?? new Date()).toUTCString(), ...spec.headers };
  const names = spec.sign ?? ['(request-target)', 'date'];
  const lines = names.map((name) => (name === '(request-target)' ? `(request-target): ${method.toLowerCase()} ${spec.path.split('?')[0]}` : `${name}: ${headers[name] ?? ''}`));
  const digest = { 'hmac-sha1': 'sha1', 'hmac-sha256': 'sha256', 'hmac-sha384': 'sha384', 'hmac-sha512': 'sha512' }[algorithm] ?? 'sha1';
  const signature = encodeURIComponent(createHmac(digest, secret).update(lines.join('\n')).digest('base64'));
  return { ...headers, authorization: `Signature keyId="${keyId}",algorithm="${algorithm}",headers="${names.join(' ')}",signature="${signature}"` };
}
