import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TempDir } from './tmp.js';

/** A certificate and its key, as PEM and as files. */
export interface TestCert {
  readonly cert: string;
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Certificate and key in one file, the way Tyk wants client certificates. */
  readonly pairPath: string;
  /** Hex SHA-256 of the public key (SubjectPublicKeyInfo DER): what a pin compares. */
  readonly spkiSha256: string;
}

export interface LeafOptions {
  readonly cn: string;
  /** openssl subjectAltName entries: "IP:127.0.0.1", "DNS:localhost". */
  readonly sans?: readonly string[];
}

let serial = 0;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function finish(dir: TempDir, name: string): TestCert {
  const certPath = join(dir.path, `${name}.crt`);
  const keyPath = join(dir.path, `${name}.key`);
  const cert = readFileSync(certPath, 'utf8');
  const key = readFileSync(keyPath, 'utf8');
  const pairPath = join(dir.path, `${name}.pem`);
  writeFileSync(pairPath, cert + key);
  const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  return { cert, key, certPath, keyPath, pairPath, spkiSha256: createHash('sha256').update(spki).digest('hex') };
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A CA (self-signed, CA:TRUE) valid for two days. */
export function makeCa(dir: TempDir, cn: string): TestCert {
  const name = `ca-${++serial}`;
  openssl(['req', '-x509', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir.path);
  return finish(dir, name);
}

/** A leaf certificate for servers and clients, signed by `ca`, or self-signed without one. */
export function makeLeaf(dir: TempDir, options: LeafOptions, ca?: TestCert): TestCert {
  const name = `leaf-${++serial}`;
  const ext = ['basicConstraints=CA:FALSE', 'extendedKeyUsage=serverAuth,clientAuth'];
  if (options.sans !== undefined && options.sans.length > 0) ext.push(`subjectAltName=${options.sans.join(',')}`);
  if (ca === undefined) {
    openssl(['req', '-x509', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${options.cn}`,
      ...ext.flatMap((e) => ['-addext', e])], dir.path);
    return finish(dir, name);
  }
  writeFileSync(join(dir.path, `${name}.ext`), `${ext.join('\n')}\n`);
  openssl(['req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${options.cn}`], dir.path);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-set_serial', String(1000 + serial),
    '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir.path);
  return finish(dir, name);
}
