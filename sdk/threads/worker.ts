/**
 * A hook worker thread (tinypool's worker file). It imports the plugin's module, finds the plugin
 * in its exports, and runs Dispatch calls from wire bytes to wire bytes.
 */
import { threadId } from 'node:worker_threads';
import { Tinypool } from 'tinypool';
import { asSdkError, dispatchObjectBytes } from '../dispatch/wire.js';
import { SdkError } from '../errors.js';
import { createPluginLogger } from '../logger.js';
import { isPlugin, type Plugin } from '../plugin.js';
import { movable, ownedBytes, type Movable, type WorkerRequest, type WorkerResponse, type WorkerStart } from './messages.js';
import { IN_HOOK_WORKER } from './worker-flag.js';

(globalThis as Record<symbol, unknown>)[IN_HOOK_WORKER] = true;

const start = Tinypool.workerData as WorkerStart;
const log = createPluginLogger(start.pluginName, start.logLevel).child({ thread: threadId });

async function loadPlugin(): Promise<Plugin<unknown>> {
  const exports = (await import(start.module)) as Record<string, unknown>;
  const plugins = Object.entries(exports).filter((entry): entry is [string, Plugin<unknown>] => isPlugin(entry[1]));
  const chosen = plugins.find(([, p]) => p.name === start.pluginName) ?? plugins.find(([key]) => key === 'default') ?? (plugins.length === 1 ? plugins[0] : undefined);
  if (chosen === undefined) {
    const found = plugins.length === 0 ? 'it exports no plugin' : `it exports several (${plugins.map(([k]) => k).join(', ')}) and none is named ${JSON.stringify(start.pluginName)}`;
    throw new Error(`cannot find plugin ${JSON.stringify(start.pluginName)} in ${start.module}: ${found}; export it from the module given as definePlugin({ module })`);
  }
  return chosen[1];
}

// Settled once; a module that fails to load makes every task answer with the same failure.
const loaded = loadPlugin().then(
  (plugin) => ({ ok: true as const, plugin }),
  (err: unknown) => ({ ok: false as const, err }),
);

function failure(sdk: SdkError): WorkerResponse {
  const cause = sdk.cause instanceof Error ? { name: sdk.cause.name, message: sdk.cause.message, stack: sdk.cause.stack } : null;
  return { type: 'failure', code: sdk.code, message: sdk.message, hook: sdk.hook ?? null, cause };
}

export default async function handle(request: WorkerRequest): Promise<WorkerResponse | Movable> {
  const state = await loaded;
  if (!state.ok) {
    const reason = state.err instanceof Error ? state.err.message : String(state.err);
    return failure(new SdkError('HG_ERR_SDK_WORKER_FAILED', `the hook worker could not load the plugin: ${reason}`, { cause: state.err }));
  }
  switch (request.type) {
    case 'ping':
      return { type: 'ready', threadId, hooks: state.plugin.hooks };
    case 'dispatch':
      try {
        const bytes = ownedBytes(await dispatchObjectBytes(state.plugin, request.bytes, { deadline: request.deadline ?? undefined, log }));
        return movable({ type: 'reply', bytes }, bytes);
      } catch (err) {
        return failure(asSdkError(err));
      }
  }
}
