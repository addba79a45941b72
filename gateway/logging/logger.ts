import { pino, type DestinationStream, type Logger } from 'pino';
import { createAccessLogWriter, type AccessLogWriter } from './access-log.js';

export type { Logger } from 'pino';

/**
 * Paths whose values never reach a log line, wherever a component logs them. Credentials travel
 * in these fields (client headers, storage passwords, the control API secret, plugin tokens).
 */
export const REDACTED_PATHS = [
  'secret',
  'password',
  'token',
  'authorization',
  'hmac_string',
  '*.secret',
  '*.hmac_string',
  '*.password',
  '*.token',
  '*.authorization',
  // A session's basic-auth password (or its hash), wherever a session object is logged.
  'basic_auth_data.password',
  '*.basic_auth_data.password',
  '*.*.basic_auth_data.password',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["proxy-authorization"]',
  'headers["x-tyk-authorization"]',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["proxy-authorization"]',
  '*.headers["x-tyk-authorization"]',
  '*.headers["x-api-key"]',
];

export const REDACTION_CENSOR = '[redacted]';

/** Longest a buffered log line waits before it is written. */
const FLUSH_INTERVAL_MS = 100;

export interface LoggerOptions {
  readonly level: string;
  /** `auto`: pretty on a terminal, JSON otherwise. */
  readonly format: 'json' | 'pretty' | 'auto';
  /** Where JSON goes; standard output by default. Tests pass a stream to read lines back. */
  readonly destination?: DestinationStream;
}

export interface RootLogger {
  readonly logger: Logger;
  /** The per-request access log, on the same destination; undefined when `level` hides info lines. */
  readonly accessLog: AccessLogWriter | undefined;
  /** Writes out anything buffered; call before the process exits. */
  flush(): void;
}

/** The one root logger of a process; components take `logger.child({ component })`. */
export function createRootLogger(options: LoggerOptions): RootLogger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  const base = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const accessLogFor = (stream: DestinationStream, logger: Logger) =>
    logger.isLevelEnabled('info') ? createAccessLogWriter((line) => stream.write(line)) : undefined;
  if (options.destination !== undefined) {
    const logger = pino(base, options.destination);
    return { logger, accessLog: accessLogFor(options.destination, logger), flush: () => undefined };
  }
  if (pretty) {
    const transport = pino.transport({
      target: 'pino-pretty',
      options: { colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
    }) as DestinationStream & { flushSync?: () => void };
    const logger = pino(base, transport);
    return { logger, accessLog: accessLogFor(transport, logger), flush: () => transport.flushSync?.() };
  }
  // Lines are written in batches of at least 16 KiB: one write per line costs a thread-pool round
  // trip (~25 us of CPU per request with an access log), and each write still costs the event
  // loop a few microseconds to hand over, so fewer, larger ones. The timer bounds how long a line
  // waits when traffic is quiet.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 16 * 1024, maxWrite: 64 * 1024 });
  const access = new AccessBatch(destination);
  const flusher = setInterval(() => {
    try {
      destination.flush();
    } catch {
      // Standard output gone: nothing to do until the process exits.
    }
  }, FLUSH_INTERVAL_MS);
  flusher.unref();
  // A closed standard output (EPIPE) must cost the logs, not the gateway.
  destination.on('error', () => undefined);
  const logger = pino(base, destination);
  return {
    logger,
    accessLog: logger.isLevelEnabled('info') ? createAccessLogWriter(access.write) : undefined,
    flush: () => {
      clearInterval(flusher);
      try {
        destination.flushSync();
      } catch {
        // Nothing buffered, or standard output already closed: nothing more can be written.
      }
    },
  };
}

/** The part of pino's destination (sonic-boom) that AccessBatch uses. */
interface BatchedDestination {
  write(data: string): boolean;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
}

/** Access lines are handed to the destination once this many characters are gathered. */
const ACCESS_BATCH_CHARS = 8192;

/**
 * Gathers access lines and hands them to the destination a batch at a time. sonic-boom measures
 * its whole pending buffer (Buffer.byteLength, which flattens the concatenated string) on every
 * write, so writing each ~250-byte line on its own costs a copy of up to its maxWrite (64 KiB here) per request; a
 * batch pays that once per ~8 KiB. Order is kept: every other write to the destination (pino's
 * own lines) and its flushes first hand over the gathered lines, so no line ever overtakes an
 * access line written before it.
 */
class AccessBatch {
  private pending = '';
  private readonly writeThrough: (data: string) => boolean;

  constructor(destination: BatchedDestination) {
    const write = destination.write.bind(destination);
    const flush = destination.flush.bind(destination);
    const flushSync = destination.flushSync.bind(destination);
    this.writeThrough = write;
    // Own properties over sonic-boom's prototype methods: pino, and pino's exit handler, call these.
    destination.write = (data) => {
      this.drain();
      return write(data);
    };
    destination.flush = (cb) => {
      this.drain();
      flush(cb);
    };
    destination.flushSync = () => {
      this.drain();
      flushSync();
    };
  }

  readonly write = (line: string): void => {
    this.pending += line;
    if (this.pending.length >= ACCESS_BATCH_CHARS) this.drain();
  };

  drain(): void {
    if (this.pending === '') return;
    const batch = this.pending;
    this.pending = '';
    this.writeThrough(batch);
  }
}
