import { pino, type Logger } from 'pino';
import { decodeObject, encodeEvent, encodeObject, type CoprocessObject, type CoprocessObject__Output } from '../../coprocess/protocol/index.js';
import { dispatchEventBytes, dispatchObjectBytes, logFailure, asSdkError } from '../dispatch/wire.js';
import type { Plugin } from '../plugin.js';
import { DEFAULT_CALL_TIMEOUT_MS, eventPayload, PluginCallError, type CallOptions, type PluginClient } from './client.js';
import { hookRequest, type RequestBuilder } from './request-builder.js';
import { evaluateReply } from './result.js';

export interface InProcessOptions {
  /** Where hook failures and `context.log` lines go. Default: nowhere. */
  readonly logger?: Logger;
}

/**
 * Calls a plugin's hooks in this process: no server, no network, but the same path as a served
 * call (the request is encoded, decoded, run, and the reply encoded and decoded), so what a test
 * sees is what the gateway would get. A thrown error keeps its original as `cause`.
 *
 * @example
 * const client = inProcess(plugin);
 * const result = await client.call('MyAuthMiddleware', hookRequest().header('Authorization', KEY));
 * assert.equal(result.allowed, true);
 * assert.equal(result.session?.rate, 1000);
 */
export function inProcess<C>(plugin: Plugin<C>, options: InProcessOptions = {}): PluginClient {
  const log = options.logger ?? pino({ level: 'silent' });

  async function run<T>(work: () => Promise<T>, kind: CallOptions['kind']): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const failure = asSdkError(err);
      logFailure(log, failure);
      throw new PluginCallError(failure.message, failure.grpcStatus, failure.code, kind, { cause: failure.cause ?? failure });
    }
  }

  async function dispatch(object: CoprocessObject, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<CoprocessObject__Output> {
    const reply = await dispatchObjectBytes(plugin, encodeObject(object), { deadline: Date.now() + timeoutMs, log });
    return decodeObject(reply);
  }

  return {
    target: 'in process',
    async call(hookName, request: RequestBuilder = hookRequest(), callOptions: CallOptions = {}) {
      const kind = callOptions.kind ?? plugin.hook(hookName)?.kind;
      const object = request.build(hookName, kind);
      const reply = await run(() => dispatch(object, callOptions.timeoutMs), kind);
      return evaluateReply(reply, kind ?? 'pre', Buffer.from(object.request?.raw_body ?? Buffer.alloc(0)));
    },
    dispatch: (object, dispatchOptions = {}) => run(() => dispatch(object, dispatchOptions.timeoutMs), undefined),
    async event(handlerName, event, eventOptions = {}) {
      const bytes = encodeEvent({ payload: eventPayload(handlerName, event) });
      await run(() => dispatchEventBytes(plugin, bytes, { deadline: Date.now() + (eventOptions.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS), log }), undefined);
    },
    close: () => Promise.resolve(),
  };
}
