import { createHmac } from 'node:crypto';
import { HMAC_ALGORITHMS, type HmacAlgorithm } from '../../apidef/index.js';
import { constantTimeEqual } from '../../crypto/index.js';

/**
 * Tyk's HTTP signature scheme (tyk-config.md 1.6), as pure functions: the Authorization value
 * `Signature keyId="…",algorithm="…",headers="…",signature="…"`, the signing string built from
 * the request, and the signature expected for it.
 */

export interface SignatureParams {
  readonly keyId: string;
  readonly algorithm: string;
  /** Lowercased header names to sign, in order; `date` when the client names none. */
  readonly headers: readonly string[];
  /** As sent: `url.QueryEscape(base64(mac))`. */
  readonly signature: string;
}

export type ParseResult = { readonly ok: true; readonly params: SignatureParams } | { readonly ok: false; readonly reason: string };

const PARAM_NAMES: Record<string, keyof SignatureParams> = { keyid: 'keyId', algorithm: 'algorithm', headers: 'headers', signature: 'signature' };

/** A leading `Signature` scheme word (any case) and the spaces after it. */
const SCHEME = /^signature(?:\s+|$)/i;

/**
 * Parses the credential. Parameters are `name=value` separated by commas; names are
 * case-insensitive and only keyId, algorithm, headers and signature are allowed (Tyk refuses any
 * other). A quoted value is unquoted (JSON string escapes); an unquoted one runs to the next comma.
 * A parameter given twice is refused rather than resolved by position. keyId, algorithm and
 * signature must be present and non-empty.
 */
export function parseSignatureHeader(credential: string): ParseResult {
  const text = credential.trim().replace(SCHEME, '');
  const values: Partial<Record<keyof SignatureParams, string>> = {};
  let pos = 0;
  const skipSpaces = () => {
    while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
  };
  while (pos < text.length) {
    skipSpaces();
    if (text[pos] === ',') {
      pos++;
      continue;
    }
    const eq = text.indexOf('=', pos);
    if (eq === -1) return { ok: false, reason: 'a parameter without "="' };
    const name = text.slice(pos, eq).trim();
    const field = PARAM_NAMES[name.toLowerCase()];
    if (field === undefined) return { ok: false, reason: `parameter ${JSON.stringify(name)} is not one of keyId, algorithm, headers, signature` };
    if (values[field] !== undefined) return { ok: false, reason: `parameter ${name} is given twice` };
    pos = eq + 1;
    skipSpaces();
    let value: string;
    if (text[pos] === '"') {
      const end = closingQuote(text, pos + 1);
      if (end === -1) return { ok: false, reason: `parameter ${name} has no closing quote` };
      try {
        value = JSON.parse(text.slice(pos, end + 1)) as string;
      } catch {
        return { ok: false, reason: `parameter ${name} is not a valid quoted string` };
      }
      pos = end + 1;
      skipSpaces();
      if (pos < text.length && text[pos] !== ',') return { ok: false, reason: `text after the quoted value of ${name}` };
    } else {
      const comma = text.indexOf(',', pos);
      const end = comma === -1 ? text.length : comma;
      value = text.slice(pos, end).trim();
      pos = end;
    }
    values[field] = value;
  }
  const { keyId = '', algorithm = '', signature = '', headers = '' } = values;
  if (keyId === '') return { ok: false, reason: 'no keyId' };
  if (algorithm === '') return { ok: false, reason: 'no algorithm' };
  if (signature === '') return { ok: false, reason: 'no signature' };
  const names = headers.split(/\s+/).filter((h) => h !== '').map((h) => h.toLowerCase());
  return { ok: true, params: { keyId, algorithm, signature, headers: names.length === 0 ? ['date'] : names } };
}

function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** What the signing string reads from the request. */
export interface SignedRequest {
  readonly method: string;
  /** The full inbound path as received (percent-encoded), before the listen path is stripped. */
  readonly path: string;
  /** First value of a header, any case; as Node reads header bytes (one char per byte). */
  header(name: string): string | undefined;
}

export type SigningStringResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/**
 * The date header of a request: `x-aux-date` when present and non-empty (for clients that cannot
 * set Date), else `Date`; with the name it is signed under.
 */
export function dateHeaderOf(req: Pick<SignedRequest, 'header'>): { name: string; value: string } | undefined {
  const aux = req.header('x-aux-date');
  if (aux !== undefined && aux !== '') return { name: 'x-aux-date', value: aux };
  const date = req.header('date');
  return date !== undefined && date !== '' ? { name: 'date', value: date } : undefined;
}

/**
 * The signing string, as a byte string (one char per byte; hash it as latin1): one line per
 * signed header joined by "\n". `(request-target)` is `<lowercase method> <path>` with the path
 * percent-decoded as Go's r.URL.Path is (the query is not signed, as in Tyk); `date` reads
 * x-aux-date first; any other header is `<name>: <trimmed value>`. A signed header the request
 * does not carry fails: Tyk would sign it as empty, which the signer did not mean.
 */
export function signingString(req: SignedRequest, headers: readonly string[]): SigningStringResult {
  const lines: string[] = [];
  for (const raw of headers) {
    const name = raw.trim().toLowerCase();
    if (name === '(request-target)') {
      const path = goPathBytes(req.path);
      if (path === undefined) return { ok: false, reason: 'the path has an invalid percent escape' };
      lines.push(`(request-target): ${req.method.toLowerCase()} ${path}`);
      continue;
    }
    const found = name === 'date' ? dateHeaderOf(req) : headerOf(req, name);
    if (found === undefined) return { ok: false, reason: `the signed header ${JSON.stringify(name)} is missing from the request` };
    lines.push(`${found.name}: ${found.value.trim()}`);
  }
  return { ok: true, text: lines.join('\n') };
}

function headerOf(req: Pick<SignedRequest, 'header'>, name: string): { name: string; value: string } | undefined {
  const value = req.header(name);
  return value === undefined ? undefined : { name, value };
}

/** The path's bytes after percent-decoding (Go's path unescaping: no "+" rule); undefined for a bad escape. */
function goPathBytes(path: string): string | undefined {
  if (!path.includes('%')) return path;
  if (/%(?![0-9a-fA-F]{2})/.test(path)) return undefined;
  return path.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Go's url.QueryEscape of standard base64: only `+`, `/` and `=` need escaping. */
const queryEscapeBase64 = (b64: string): string => b64.replace(/[+/=]/g, (c) => (c === '+' ? '%2B' : c === '/' ? '%2F' : '%3D'));

/** `url.QueryEscape(base64(HMAC(secret, signing string)))`: what the client must send. */
export function expectedSignature(algorithm: HmacAlgorithm, secret: string, signing: string): string {
  const mac = createHmac(HMAC_ALGORITHMS[algorithm], Buffer.from(secret, 'utf8')).update(Buffer.from(signing, 'latin1')).digest('base64');
  return queryEscapeBase64(mac);
}

const LOWERCASE_ESCAPE = /%[a-f0-9][a-f0-9]/g;

/**
 * Compares in constant time. A signature that does not match and has lowercase `%xx` escapes
 * (some .NET clients escape so) is compared again with them uppercased, as Tyk does.
 */
export function signatureMatches(expected: string, presented: string): boolean {
  if (constantTimeEqual(expected, presented)) return true;
  const upper = presented.replace(LOWERCASE_ESCAPE, (escape) => escape.toUpperCase());
  return upper !== presented && constantTimeEqual(expected, upper);
}
