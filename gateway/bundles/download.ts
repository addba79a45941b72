import { readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, interceptors, request } from 'undici';
import { HookgateError } from '../errors/index.js';
import type { BundleSource } from './names.js';
import { errnoText } from './verify.js';

export interface DownloadSettings {
  readonly timeoutMs: number;
  /** Attempts after the first one. */
  readonly retries: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly maxBytes: number;
  readonly insecureSkipVerify: boolean;
}

export interface Downloaded {
  readonly data: Buffer;
  readonly attempts: number;
  readonly ms: number;
}

export interface RetryNotice {
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

/** One failed attempt, and whether another could succeed. */
class AttemptFailed extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const tooLarge = (size: number | string, max: number) =>
  new AttemptFailed(`the bundle is ${size} bytes, more than hookgate.bundles.max_archive_bytes (${max})`, false);

/**
 * The wait before retry number `retry` (0-based): Tyk's exponential backoff (doubling from
 * retry_initial_ms, at most retry_max_ms) with "equal jitter" (between half and all of it), so
 * gateways started together do not retry in step and each wait is at least the one before.
 */
export function backoffDelay(retry: number, settings: Pick<DownloadSettings, 'retryInitialMs' | 'retryMaxMs'>): number {
  const base = Math.min(settings.retryInitialMs * 2 ** retry, settings.retryMaxMs);
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

/** A 5xx, 408 or 429 may pass on a later try; any other status will not. */
const retryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

async function fetchHttp(url: string, secure: boolean, settings: DownloadSettings): Promise<Buffer> {
  // Like Go's client: redirects followed (up to 10); certificates checked unless bundle_insecure_skip_verify.
  const agent = new Agent({ connect: { rejectUnauthorized: !(secure && settings.insecureSkipVerify) } });
  try {
    const res = await request(url, {
      method: 'GET',
      dispatcher: agent.compose(interceptors.redirect({ maxRedirections: 10 })),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new AttemptFailed(`HTTP Error, got status code ${res.statusCode}`, retryableStatus(res.statusCode));
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > settings.maxBytes) {
      res.body.destroy();
      throw tooLarge(declared, settings.maxBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > settings.maxBytes) {
        res.body.destroy();
        throw tooLarge(`over ${settings.maxBytes}`, settings.maxBytes);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  } catch (err) {
    if (err instanceof AttemptFailed) throw err;
    const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const detail = timeout ? `no complete answer within ${settings.timeoutMs} ms` : err instanceof Error ? err.message : String(err);
    throw new AttemptFailed(`Error getting bundle: ${detail}`, true, { cause: err });
  } finally {
    void agent.destroy().catch(() => undefined);
  }
}

async function readLocal(path: string, maxBytes: number): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (info.size > maxBytes) throw tooLarge(info.size, maxBytes);
    return await readFile(path);
  } catch (err) {
    if (err instanceof AttemptFailed) throw err;
    throw new AttemptFailed(`open ${path}: ${errnoText(err)}`, false, { cause: err });
  }
}

/**
 * Fetches a bundle archive: http and https with a timeout covering the whole download, file paths
 * read directly; a failure that may be temporary (network, timeout, 5xx, 408, 429) is retried
 * with growing waits. The error says what the last attempt got and how many there were.
 */
export async function downloadBundle(source: BundleSource, settings: DownloadSettings, onRetry?: (notice: RetryNotice) => void): Promise<Downloaded> {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const data = source.kind === 'file' ? await readLocal(source.path, settings.maxBytes) : await fetchHttp(source.url, source.secure, settings);
      return { data, attempts: attempt, ms: performance.now() - started };
    } catch (err) {
      const failure = err instanceof AttemptFailed ? err : new AttemptFailed(err instanceof Error ? err.message : String(err), false, { cause: err });
      if (!failure.retry || attempt > settings.retries) {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        const tries = attempt > 1 ? ` (${attempt} attempts in ${seconds} s, waiting longer after each)` : '';
        throw new HookgateError('HG_ERR_BUNDLE_FETCH', `${failure.message}${tries}`, { cause: failure.cause ?? failure });
      }
      const delayMs = backoffDelay(attempt - 1, settings);
      onRetry?.({ attempt, delayMs, reason: failure.message });
      await sleep(delayMs);
    }
  }
}
