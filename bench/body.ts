/**
 * The memory target for large bodies: how much a gateway's resident memory grows while a 100 MiB
 * request body streams through it to the upstream (which discards it). Sampled from /proc every
 * 20 ms on a gateway that has served nothing else, so the rise is the body's, not the load's.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Readable } from 'node:stream';

const BODY_MIB = 100;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

function send(url: string): Promise<number> {
  let left = (BODY_MIB * 1024 * 1024) / CHUNK.length;
  const body = new Readable({
    read() {
      this.push(left-- > 0 ? CHUNK : null);
    },
  });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': BODY_MIB * 1024 * 1024 } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    body.pipe(req);
  });
}

/** The rise in MiB of `pid`'s RSS over its idle figure while the body goes through `url`. */
export async function bodyRssRise(url: string, pid: number): Promise<{ idleMiB: number; peakMiB: number; status: number }> {
  const idleMiB = rssMiB(pid);
  let peakMiB = idleMiB;
  const sampler = setInterval(() => (peakMiB = Math.max(peakMiB, rssMiB(pid))), 20);
  try {
    const status = await send(url);
    peakMiB = Math.max(peakMiB, rssMiB(pid));
    return { idleMiB, peakMiB, status };
  } finally {
    clearInterval(sampler);
  }
}

export const BODY_SIZE_MIB = BODY_MIB;
