import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Independent tools for bundle tests: python3's zipfile writes and reads archives, openssl makes
 * keys and checks signatures, python3 -m http.server serves bundles as the tutorial does.
 */

export const md5 = (data: string | Uint8Array): string => createHash('md5').update(data).digest('hex');

/** Runs a program to completion; throws with its output when it fails (unless `allowFailure`). */
export function run(program: string, args: readonly string[], options: { cwd?: string; input?: string | Buffer; allowFailure?: boolean } = {}): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(program, [...args], { cwd: options.cwd, input: options.input, encoding: 'utf8' });
  const out = { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  if (out.status !== 0 && options.allowFailure !== true) throw new Error(`${program} ${args.join(' ')} failed (${out.status}): ${out.stderr}${out.stdout}`);
  return out;
}

export interface ZipSpec {
  readonly name: string;
  /** Text content. */
  readonly text?: string;
  /** Makes the entry a symbolic link to this target (Unix mode 0120777). */
  readonly symlinkTo?: string;
  /** Stored instead of deflated. */
  readonly stored?: boolean;
}

const PY_WRITE = `
import json, sys, zipfile
out, entries = sys.argv[1], json.load(sys.stdin)
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for e in entries:
        info = zipfile.ZipInfo(e['name'], date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED if e.get('stored') else zipfile.ZIP_DEFLATED
        if 'symlinkTo' in e:
            info.create_system = 3
            info.external_attr = 0o120777 << 16
            z.writestr(info, e['symlinkTo'])
        else:
            z.writestr(info, e.get('text', ''))
`;

/** Writes a zip with python3's zipfile, names exactly as given (also "../x", "/x"). */
export function pythonZip(path: string, entries: readonly ZipSpec[]): void {
  run('python3', ['-c', PY_WRITE, path], { input: JSON.stringify(entries) });
}

export interface ZipListing {
  readonly name: string;
  readonly compressType: number;
  readonly isDir: boolean;
  readonly text: string;
}

const PY_LIST = `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
print(json.dumps({'bad': bad, 'entries': [{'name': i.filename, 'compressType': i.compress_type, 'isDir': i.is_dir(), 'text': z.read(i).decode('utf-8', 'replace')} for i in z.infolist()]}))
`;

/** Reads a zip with python3's zipfile (CRCs checked): its entries in archive order. */
export function listZip(path: string): ZipListing[] {
  const parsed = JSON.parse(run('python3', ['-c', PY_LIST, path]).stdout) as { bad: string | null; entries: ZipListing[] };
  if (parsed.bad !== null) throw new Error(`${path}: bad CRC in ${parsed.bad}`);
  return parsed.entries;
}

export interface RsaKeys {
  /** PKCS#1 private key (RSA PRIVATE KEY). */
  readonly pkcs1: string;
  /** The same key as PKCS#8 (PRIVATE KEY). */
  readonly pkcs8: string;
  /** Public key, PKIX (PUBLIC KEY). */
  readonly pub: string;
  /** Public key, PKCS#1 (RSA PUBLIC KEY). */
  readonly rsaPub: string;
}

/** A fresh RSA key pair made by openssl, in every PEM form a bundle tool meets. */
export function opensslKeys(dir: string, name: string): RsaKeys {
  const at = (suffix: string) => join(dir, `${name}${suffix}`);
  run('openssl', ['genrsa', '-traditional', '-out', at('.pkcs1.pem'), '2048']);
  run('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', at('.pkcs1.pem'), '-out', at('.pkcs8.pem')]);
  run('openssl', ['rsa', '-in', at('.pkcs1.pem'), '-pubout', '-out', at('.pub')]);
  run('openssl', ['rsa', '-in', at('.pkcs1.pem'), '-RSAPublicKey_out', '-out', at('.rsa.pub')]);
  return { pkcs1: at('.pkcs1.pem'), pkcs8: at('.pkcs8.pem'), pub: at('.pub'), rsaPub: at('.rsa.pub') };
}

export interface PythonHttpServer {
  readonly port: number;
  readonly url: string;
  /** The request lines python logged ("GET /bundle.zip HTTP/1.1" 200). */
  readonly requests: string[];
  stop(): Promise<void>;
}

/** `python3 -m http.server` serving `dir` on an ephemeral loopback port (or `port`), as in Tyk's tutorial. */
export function startPythonHttpServer(dir: string, port = 0): Promise<PythonHttpServer> {
  const child = spawn('python3', ['-u', '-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const requests: string[] = [];
  let errText = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    errText += chunk;
    for (const m of chunk.matchAll(/"([A-Z]+ \S+ HTTP\/[\d.]+)" (\d{3})/g)) requests.push(`${m[1]} ${m[2]}`);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python3 -m http.server did not start: ${out}${errText}`));
    }, 10_000);
    child.once('error', reject);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const port = /port (\d+)/.exec(out)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      resolve({
        port: Number(port),
        url: `http://127.0.0.1:${port}/`,
        requests,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

/** Every path under `dir`, relative, sorted (folders end with "/"). */
export async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .map((e) => `${join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1)}${e.isDirectory() ? '/' : ''}`)
    .sort();
}
