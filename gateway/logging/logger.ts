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
  // Lines are written in batches of up to 4 KiB: one write per line costs a thread-pool round
  // trip (~25 us of CPU per request with an access log). The timer bounds how long a line waits
  // when traffic is quiet.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
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
    accessLog: accessLogFor(destination, logger),
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
