import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the bridges a gateway launches listen, and its link socket: one folder per gateway
 * process, named at random (nobody can guess and pre-create it), mode 0700, made on first use and
 * removed at shutdown. Addresses are known before the folder exists, so API definitions can be
 * checked (`hookgate check`) without creating anything.
 */
export class RunDir {
  /** Users of the folder (gateways in this process); it is removed when the last one releases it. */
  private users = 0;
  readonly path: string;

  constructor(base = tmpdir()) {
    this.path = join(base, `hookgate-${randomBytes(6).toString('hex')}`);
  }

  /** The unix socket address of the bridge serving `bundleDir`. */
  bridgeAddress(bundleDir: string): string {
    return `unix://${join(this.path, `py-${createHash('md5').update(bundleDir).digest('hex').slice(0, 12)}.sock`)}`;
  }

  /** Whether `target` is one of this folder's bridge addresses. */
  owns(target: string): boolean {
    return target.startsWith(`unix://${this.path}/`);
  }

  /** Makes the folder if this is its first user. Call release() once per call. */
  acquire(): void {
    if (this.users === 0) mkdirSync(this.path, { mode: 0o700 });
    this.users++;
  }

  release(): void {
    if (this.users === 0) return;
    this.users--;
    if (this.users === 0) rmSync(this.path, { recursive: true, force: true });
  }
}

let shared: RunDir | undefined;

/** The gateway process's run folder (one per process). */
export function processRunDir(): RunDir {
  shared ??= new RunDir();
  return shared;
}
