/**
 * DispatchEvent: the gateway sends `{"message": {"Type", "Meta", "TimeStamp"}, "handler_name",
 * "spec": {"APIID", "OrgID"}}` as a JSON string and ignores the (empty) reply; errors are only
 * logged on its side. The handler is chosen by `handler_name`.
 */
import type { Logger } from 'pino';
import { SdkError } from '../errors.js';
import type { EventContext, PluginEvent } from '../hook-types.js';
import type { Plugin } from '../plugin.js';
import type { CallSignal } from './deadline.js';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Reads Tyk's event payload; throws HG_ERR_SDK_REQUEST_INVALID when it is not that shape. */
export function parseEventPayload(payload: string): PluginEvent {
  let doc: unknown;
  try {
    doc = JSON.parse(payload);
  } catch (err) {
    throw new SdkError('HG_ERR_SDK_REQUEST_INVALID', `the event payload is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isRecord(doc) || typeof doc['handler_name'] !== 'string') {
    throw new SdkError('HG_ERR_SDK_REQUEST_INVALID', 'the event payload has no "handler_name": expected {"message": ..., "handler_name": ..., "spec": ...}');
  }
  const message = isRecord(doc['message']) ? doc['message'] : {};
  const spec = isRecord(doc['spec']) ? doc['spec'] : {};
  return {
    type: str(message['Type']),
    meta: isRecord(message['Meta']) ? message['Meta'] : {},
    timestamp: str(message['TimeStamp']),
    handlerName: doc['handler_name'],
    spec: { apiId: str(spec['APIID']), orgId: str(spec['OrgID']) },
    payload,
  };
}

export async function runEvent<C>(plugin: Plugin<C>, payload: string, options: { call: CallSignal; log: Logger }): Promise<void> {
  const event = parseEventPayload(payload);
  const name = event.handlerName;
  const handler = plugin.eventHandler(name);
  if (handler === undefined) {
    const known = plugin.events.length === 0 ? 'none' : plugin.events.join(', ');
    throw new SdkError('HG_ERR_SDK_EVENT_UNKNOWN', `event handler ${JSON.stringify(name)} is not defined by plugin ${JSON.stringify(plugin.name)}; it defines: ${known}`, { hook: name });
  }
  const context: EventContext = { handlerName: name, signal: options.call.signal, log: options.log.child({ event_handler: name }) };
  try {
    await options.call.race(Promise.resolve().then(() => handler(event, context)));
  } catch (err) {
    if (err instanceof SdkError) throw err;
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new SdkError('HG_ERR_SDK_HOOK_FAILED', `event handler ${JSON.stringify(name)} threw: ${detail}`, { cause: err, hook: name });
  }
}
