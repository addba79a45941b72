import type { Logger } from '../../gateway/logging/index.js';
import type { PluginData } from './data.js';
import type { DataGetMessage, DataMessage, DataSetMessage, LogMessage, TriggerEventMessage } from './messages.js';
import type { WorkerHost } from './python-worker.js';

/**
 * What the workers' gateway calls do: `tyk.log` lines go to `pluginLog` at their level with the
 * hook that logged; store_data/get_data go to the plugin data store (a failure is logged and the
 * plugin gets b"" or nothing, as in Tyk); trigger_event is logged (Tyk fires gateway-level event
 * handlers from tyk.conf, which Hookgate does not have).
 */
export function workerHost(data: PluginData, pluginLog: Logger, bridgeLog: Logger): WorkerHost {
  return {
    async data(request: DataGetMessage | DataSetMessage): Promise<DataMessage> {
      try {
        if (request.type === 'data_get') return { type: 'data', id: request.id, ok: true, value: await data.get(request.key) };
        await data.set(request.key, request.value, request.ttl);
        return { type: 'data', id: request.id, ok: true };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        bridgeLog.error({ key: request.key, err: error }, `tyk.${request.type === 'data_get' ? 'get_data' : 'store_data'} failed`);
        return { type: 'data', id: request.id, ok: false, error };
      }
    },
    pluginLog(message: LogMessage, pid: number | undefined): void {
      pluginLog[message.level]({ hook: message.hook ?? undefined, worker_pid: pid }, message.message);
    },
    triggerEvent(message: TriggerEventMessage): void {
      bridgeLog.info({ event: message.name, payload: message.payload, hook: message.hook ?? undefined }, 'tyk.trigger_event: logged only (Hookgate has no gateway-level event handlers)');
    },
  };
}
