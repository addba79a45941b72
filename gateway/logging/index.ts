export { ThrottledLog } from './throttle.js';
export { createAccessLogWriter, type AccessLogWriter, type AccessRecord } from './access-log.js';
export { createRootLogger, REDACTED_PATHS, REDACTION_CENSOR, type Logger, type LoggerOptions, type RootLogger } from './logger.js';
