/**
 * The bridge's two channels, as typed messages with a `type` discriminator. Both are frames of a
 * 4-byte big-endian length and a UTF-8 JSON object (frames.ts).
 *
 * 1. Bridge <-> Python worker, on the worker's fd 3 (a socket pair). The bridge sends `start`
 *    once, then `call`/`event` one at a time; the worker answers `ready` or `load_error`, then
 *    one `result`/`done`/`failed` per call. While a call runs, the worker may send `log`,
 *    `trigger_event`, and `data_get`/`data_set` (which the bridge answers with `data`).
 *    The Python side is coprocess/bridge/python/hookgate/{channel,worker,worker_host}.py.
 *
 * 2. Bridge -> gateway ("the link", a unix socket the gateway opens for the bridges it launches):
 *    `hello`, `log` and `data_get`/`data_set` (answered with `data`), so plugins use the gateway's
 *    own storage and log into the gateway's own log.
 */

/** An Object in the bridge's JSON shape: proto field names, defaults left out, bytes as base64, enums as numbers. */
export type WireObject = Record<string, unknown>;

export interface StartMessage {
  readonly type: 'start';
  readonly bundle_dir: string;
  /** Folders appended to the worker's sys.path (python_path_prefix). */
  readonly paths: readonly string[];
}

export interface CallMessage {
  readonly type: 'call';
  readonly id: number;
  readonly object: WireObject;
}

export interface EventMessage {
  readonly type: 'event';
  readonly id: number;
  readonly handler: string;
  /** Tyk's event payload: a JSON document. */
  readonly payload: string;
}

/** The answer to a worker's or the bridge's data request. `value` is null for a missing key. */
export interface DataMessage {
  readonly type: 'data';
  readonly id: number;
  readonly ok: boolean;
  readonly value?: string | null;
  readonly error?: string;
}

export type ToWorker = StartMessage | CallMessage | EventMessage | DataMessage;

export interface HookInfo {
  readonly args: number;
  /** The decorator class, or null for a plain function the manifest names. */
  readonly decorator: string | null;
}

export interface ReadyMessage {
  readonly type: 'ready';
  readonly python: string;
  readonly hooks: Readonly<Record<string, HookInfo>>;
}

export interface LoadErrorMessage {
  readonly type: 'load_error';
  readonly error: string;
  readonly file: string | null;
  readonly line: number | null;
  readonly trace: string;
}

export interface ResultMessage {
  readonly type: 'result';
  readonly id: number;
  readonly object: WireObject;
}

export interface DoneMessage {
  readonly type: 'done';
  readonly id: number;
}

export interface FailedMessage {
  readonly type: 'failed';
  readonly id: number;
  readonly reason: 'hook_error' | 'unknown_hook';
  readonly error: string;
  readonly trace: string;
}

export type PluginLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogMessage {
  readonly type: 'log';
  readonly level: PluginLogLevel;
  readonly message: string;
  readonly hook: string | null;
}

export interface TriggerEventMessage {
  readonly type: 'trigger_event';
  readonly name: string;
  readonly payload: string;
  readonly hook: string | null;
}

export interface DataGetMessage {
  readonly type: 'data_get';
  readonly id: number;
  readonly key: string;
}

export interface DataSetMessage {
  readonly type: 'data_set';
  readonly id: number;
  readonly key: string;
  readonly value: string;
  readonly ttl: number;
}

export type FromWorker =
  | ReadyMessage
  | LoadErrorMessage
  | ResultMessage
  | DoneMessage
  | FailedMessage
  | LogMessage
  | TriggerEventMessage
  | DataGetMessage
  | DataSetMessage;

/** The first message on the link: which bridge this is. */
export interface HelloMessage {
  readonly type: 'hello';
  readonly bundle: string;
  readonly pid: number;
}

/** One of the bridge's pino log lines, parsed. */
export interface LinkLogMessage {
  readonly type: 'log';
  readonly line: Readonly<Record<string, unknown>>;
}

export type ToGateway = HelloMessage | LinkLogMessage | DataGetMessage | DataSetMessage;
export type FromGateway = DataMessage;

const FROM_WORKER = new Set<string>(['ready', 'load_error', 'result', 'done', 'failed', 'log', 'trigger_event', 'data_get', 'data_set']);
const TO_GATEWAY = new Set<string>(['hello', 'log', 'data_get', 'data_set']);

const typeOf = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? (value as { type: string }).type : undefined;

/** Narrows a parsed frame from a worker; anything else is a protocol error. */
export function isFromWorker(value: unknown): value is FromWorker {
  const type = typeOf(value);
  return type !== undefined && FROM_WORKER.has(type);
}

export function isToGateway(value: unknown): value is ToGateway {
  const type = typeOf(value);
  return type !== undefined && TO_GATEWAY.has(type);
}

export function isFromGateway(value: unknown): value is FromGateway {
  return typeOf(value) === 'data';
}
