import { eventPayload, originatingRequest, type PluginClients } from '../../coprocess/index.js';
import type { ApiSpec } from '../apidef/index.js';
import type { ThrottledLog } from '../logging/index.js';
import type { RequestContext } from './request-context.js';

/** Delivers Tyk events to the plugin functions an API subscribed with `cp_dynamic_handler`. */
export class EventDispatcher {
  constructor(
    private readonly clients: PluginClients,
    private readonly log: ThrottledLog,
    private readonly deadlineMs: number,
  ) {}

  /**
   * Sends the event to every subscribed handler without waiting: the request never waits for
   * an event, and a failed delivery is only logged. `meta` is built only when someone listens.
   */
  fire(api: ApiSpec, type: string, meta: () => Record<string, unknown>): void {
    const plan = api.plugins;
    const handlers = plan?.eventHandlers.get(type);
    if (plan === undefined || handlers === undefined) return;
    const client = this.clients.get(plan.server);
    const built = meta();
    for (const handler of handlers) {
      const payload = eventPayload(type, built, handler, { apiId: api.id, orgId: api.orgId });
      client.dispatchEvent(payload, this.deadlineMs).catch((err: unknown) => {
        this.log.warn(`event:${api.id}:${handler}`, { api_id: api.id, event: type, handler, err: err instanceof Error ? err.message : String(err) }, 'event delivery failed');
      });
    }
  }

  /** Tyk's AuthFailure event for a request. */
  authFailure(ctx: RequestContext, key: string): void {
    this.fire(ctx.api, 'AuthFailure', () => ({
      Message: 'Auth Failure',
      OriginatingRequest: originatingRequest(ctx.method, ctx.requestUri, ctx.headers, ctx.body),
      Path: ctx.path,
      Origin: ctx.clientIp,
      Key: key,
    }));
  }
}
