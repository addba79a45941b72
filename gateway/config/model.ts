import type { TykConfig } from './schema.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export type StorageConfig =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'redis';
      readonly host: string;
      readonly port: number;
      readonly username: string;
      readonly password: string;
      readonly database: number;
      readonly commandTimeoutMs: number;
    };

/** The validated, resolved configuration every component reads. Frozen. */
export interface GatewayConfig {
  /** Absolute path of the file it was loaded from, or "(inline)". */
  readonly source: string;
  /** The validated Tyk-shaped document, defaults filled in. */
  readonly tyk: TykConfig;
  readonly listen: { readonly address: string; readonly port: number };
  /** Absolute folder of API definition files. */
  readonly appPath: string;
  readonly middlewarePath: string;
  readonly storage: StorageConfig;
  readonly log: { readonly level: LogLevel; readonly format: 'json' | 'pretty' | 'auto'; readonly accessLog: boolean };
  readonly proxy: {
    readonly timeoutMs: number;
    readonly connectionsPerOrigin: number | null;
    readonly keepAliveTimeoutMs: number;
    readonly trustForwardedHeaders: boolean;
  };
  readonly errors: { readonly hideGeneratorHeader: boolean; readonly closeConnections: boolean };
  readonly shutdownGraceMs: number;
  readonly health: { readonly livenessPath: string; readonly readinessPath: string };
}

/** Tyk's default when `proxy_default_timeout` is 0. */
export const DEFAULT_PROXY_TIMEOUT_SECONDS = 30;
