import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * Test certificates made with node's crypto alone: a small DER writer for X.509 v3 certificates
 * (ECDSA P-256 or RSA keys, SHA-256 signatures), so tests can make CAs, chains, expired and
 * not-yet-valid certificates without any program installed. Only what the tests need is encoded.
 */

export interface TestCert {
  /** The certificate, PEM. */
  readonly cert: string;
  /** Its private key, PKCS#8 PEM. */
  readonly key: string;
  /** cert + key in one PEM (what Tyk's store and `ssl_certificates` files take). */
  readonly pair: string;
  /** Lowercase hex SHA-256 of the DER: Tyk's certificate ID without the org. */
  readonly sha256: string;
  readonly keyObject: KeyObject;
  readonly subject: string;
  readonly der: Buffer;
}

export interface CertOptions {
  readonly cn: string;
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  /** Signed by this certificate; self-signed when absent. */
  readonly issuer?: TestCert;
  readonly ca?: boolean;
  /** Days from now; negative for the past. Default -1 and 365. */
  readonly notBeforeDays?: number;
  readonly notAfterDays?: number;
  /** Default: serverAuth and clientAuth for leaves, none for CAs. */
  readonly eku?: readonly ('server' | 'client')[];
  readonly keyType?: 'ec' | 'rsa';
}

const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
};
const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
const set = (...parts: Buffer[]) => tlv(0x31, ...parts);
const oid = (dotted: string): Buffer => {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
};
const integer = (bytes: Buffer): Buffer => tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const octets = (data: Buffer) => tlv(0x04, data);
const bitString = (data: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), data);
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);
const TRUE = tlv(0x01, Buffer.from([0xff]));

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))), set(seq(oid('2.5.4.10'), utf8('Hookgate tests'))));
const extension = (id: string, value: Buffer, critical = false) => seq(oid(id), ...(critical ? [TRUE] : []), octets(value));

function keyUsage(bits: number): Buffer {
  let unused = 0;
  while (unused < 7 && ((bits >> unused) & 1) === 0) unused++;
  return bitString(Buffer.from([bits]), unused);
}

const EKU = { server: '1.3.6.1.5.5.7.3.1', client: '1.3.6.1.5.5.7.3.2' } as const;

export function makeCert(options: CertOptions): TestCert {
  const keyType = options.keyType ?? 'ec';
  const { privateKey, publicKey } = keyType === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = options.issuer?.keyObject ?? privateKey;
  const issuerName = options.issuer === undefined ? name(options.cn) : name(options.issuer.subject);
  const day = 86_400_000;
  const notBefore = new Date(Date.now() + (options.notBeforeDays ?? -1) * day);
  const notAfter = new Date(Date.now() + (options.notAfterDays ?? 365) * day);
  const isCa = options.ca === true;
  const extensions = [extension('2.5.29.19', isCa ? seq(TRUE) : seq(), true), extension('2.5.29.15', keyUsage(isCa ? 0x06 : 0xa0), true)];
  const eku = options.eku ?? (isCa ? [] : ['server', 'client']);
  if (eku.length > 0) extensions.push(extension('2.5.29.37', seq(...eku.map((e) => oid(EKU[e])))));
  const alt = [
    ...(options.dns ?? []).map((d) => tlv(0x82, Buffer.from(d))),
    ...(options.ips ?? []).map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
  ];
  if (alt.length > 0) extensions.push(extension('2.5.29.17', seq(...alt)));
  const signerType = options.issuer === undefined ? keyType : (options.issuer.keyObject.asymmetricKeyType === 'rsa' ? 'rsa' : 'ec');
  const algorithm = signerType === 'rsa' ? seq(oid('1.2.840.113549.1.1.11'), tlv(0x05)) : seq(oid('1.2.840.10045.4.3.2'));
  const serial = randomBytes(12);
  // A positive INTEGER in minimal DER: first byte 0x01..0x7f (a leading 0x00 would be refused by OpenSSL).
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm,
    issuerName,
    seq(time(notBefore), time(notAfter)),
    name(options.cn),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, signer);
  const der = seq(tbs, algorithm, bitString(signature));
  const cert = pem('CERTIFICATE', der);
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { cert, key, pair: cert + key, sha256: createHash('sha256').update(der).digest('hex'), keyObject: privateKey, subject: options.cn, der };
}

export function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A CA, an intermediate it signed, and helpers to issue leaves. */
export function makePki(prefix = 'Test') {
  const root = makeCert({ cn: `${prefix} Root CA`, ca: true, notAfterDays: 3650 });
  const intermediate = makeCert({ cn: `${prefix} Intermediate CA`, ca: true, issuer: root, notAfterDays: 1825 });
  return { root, intermediate };
}
