import type { Logger } from 'pino';

/**
 * Logs the first occurrence of each key, then at most one line per interval with how many were
 * suppressed: a plugin server that is down fails every request, and one line per request would
 * drown everything else.
 */
export class ThrottledLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
  ) {}

  error(key: string, fields: Record<string, unknown>, message: string): void {
    this.log('error', key, fields, message);
  }

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    this.log('warn', key, fields, message);
  }

  /** Whether debug lines are written; check before building an expensive line. */
  get debugEnabled(): boolean {
    return this.logger.isLevelEnabled('debug');
  }

  /** Debug lines are for troubleshooting one request at a time: never throttled. */
  debug(fields: Record<string, unknown>, message: string): void {
    this.logger.debug(fields, message);
  }

  private log(level: 'error' | 'warn', key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const entry = this.last.get(key);
    if (entry !== undefined && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    if (this.last.size > 10_000) this.last.clear();
    this.logger[level](suppressed > 0 ? { ...fields, suppressed_since_last: suppressed } : fields, message);
  }
}
