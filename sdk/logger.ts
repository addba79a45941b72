import { pino, type Logger } from 'pino';

/**
 * Fields whose values never reach a plugin's log line. The SDK itself logs no request data; these
 * catch what a handler passes to `context.log` by habit (a session, a header map).
 */
const REDACTED_PATHS = ['token', 'authorization', '*.token', '*.authorization', 'headers.Authorization', 'metadata.token', '*.metadata.token'];

/** The level a plugin logs at unless told: `HOOKGATE_LOG_LEVEL`, else `info`. */
export function defaultLogLevel(): string {
  return process.env['HOOKGATE_LOG_LEVEL'] ?? 'info';
}

/**
 * A plugin process's logger: pino JSON lines on standard output (the gateway's sidecar supervisor
 * forwards them), with `component: "plugin"` and the plugin's name. Writes are synchronous:
 * plugin servers log little, and a line must not be lost when the process exits on SIGTERM.
 *
 * @example
 * const log = createPluginLogger('my-plugin', 'debug');
 */
export function createPluginLogger(plugin: string, level = defaultLogLevel()): Logger {
  return pino({
    level,
    base: { pid: process.pid, component: 'plugin', plugin },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}
