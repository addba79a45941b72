import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { GatewayConfig } from '../config/index.js';
import type { ErrorCode, ErrorResponder } from '../errors/index.js';
import { ERRORS } from '../errors/index.js';
import { handleLiveness, handleReadiness } from '../health/index.js';
import type { AccessLogWriter, Logger } from '../logging/index.js';
import type { ProxyOutcome, UpstreamProxy } from '../proxy/index.js';
import { clientAddressOf } from '../proxy/index.js';
import { parseRequestTarget, type Router } from '../routing/index.js';
import type { Store } from '../storage/index.js';
import type { RouteTarget } from './routes.js';

export interface HandlerDeps {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** Undefined: no access log. */
  readonly accessLog: AccessLogWriter | undefined;
  readonly errors: ErrorResponder;
  readonly proxy: UpstreamProxy;
  readonly store: Store;
  /** Read per request, so a reload can swap the routes under running traffic. */
  readonly routes: () => Router<RouteTarget>;
  readonly shuttingDown: () => boolean;
}

/** The gateway's request listener: health endpoints, routing, then the API's pipeline. */
export function createRequestHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, errors, proxy } = deps;
  const accessLog = config.log.accessLog ? deps.accessLog : undefined;
  const proxyLog = deps.logger.child({ component: 'proxy' });
  const healthState = {
    store: deps.store,
    shuttingDown: deps.shuttingDown,
    hideGeneratorHeader: config.errors.hideGeneratorHeader,
  };

  // The socket is detached from the request once the response is done, so the client address is
  // read when the request arrives and passed along.
  function logAccess(req: IncomingMessage, clientIp: string, apiId: string | undefined, path: string, status: number, started: number, upstreamMs: number) {
    accessLog?.({ apiId, method: req.method, path, status, latencyMs: performance.now() - started, upstreamLatencyMs: upstreamMs, clientIp });
  }

  function fail(req: IncomingMessage, res: ServerResponse, code: ErrorCode, clientIp: string, apiId: string | undefined, path: string, started: number) {
    errors.send(req, res, code);
    logAccess(req, clientIp, apiId, path, ERRORS[code].status, started, -1);
  }

  function internalError(req: IncomingMessage, res: ServerResponse, err: unknown) {
    deps.logger.error({ err, method: req.method }, 'request handler failed');
    if (!res.writableEnded) errors.send(req, res, 'HG_ERR_INTERNAL');
  }

  return (req, res) => {
    const started = performance.now();
    const clientIp = clientAddressOf(req.socket.remoteAddress);
    if (deps.shuttingDown()) res.setHeader('connection', 'close');
    const target = parseRequestTarget(req.url ?? '');
    if (target === undefined) {
      fail(req, res, 'HG_ERR_REQUEST_TARGET_INVALID', clientIp, undefined, '(invalid request target)', started);
      return;
    }
    const { path } = target;
    if (path === config.health.livenessPath) {
      handleLiveness(req, res, healthState).catch((err: unknown) => internalError(req, res, err));
      return;
    }
    if (path === config.health.readinessPath) {
      handleReadiness(req, res, healthState).catch((err: unknown) => internalError(req, res, err));
      return;
    }

    const match = deps.routes().match(path);
    if (match === undefined) {
      fail(req, res, 'HG_ERR_ROUTE_NOT_FOUND', clientIp, undefined, path, started);
      return;
    }
    const route = match.value;
    if (route.kind === 'refused') {
      fail(req, res, 'HG_ERR_API_NOT_LOADED', clientIp, route.apiId, path, started);
      return;
    }

    const api = route.api;
    const finish = (outcome: ProxyOutcome) => {
      if (outcome.error === undefined) {
        logAccess(req, clientIp, api.id, path, outcome.status, started, outcome.upstreamLatencyMs);
        return;
      }
      if (outcome.error === 'HG_ERR_CLIENT_CLOSED_REQUEST') {
        logAccess(req, clientIp, api.id, path, ERRORS[outcome.error].status, started, outcome.upstreamLatencyMs);
        return;
      }
      const cause = outcome.cause as { message?: string; code?: string } | undefined;
      proxyLog.error(
        { api_id: api.id, upstream: api.target.origin, error_code: outcome.error, err: cause?.message, cause_code: cause?.code, response_started: res.headersSent },
        'upstream request failed',
      );
      // Once the upstream's status went out, the only honest signal left is a cut connection.
      const status = res.headersSent ? outcome.status : ERRORS[outcome.error].status;
      errors.send(req, res, outcome.error);
      logAccess(req, clientIp, api.id, path, status, started, outcome.upstreamLatencyMs);
    };
    try {
      const refused = proxy.forward(
        { req, res, api, path, prefixLength: match.prefixLength, query: target.query, clientIp, closing: deps.shuttingDown },
        (outcome) => {
          // A bug in completing one request must fail that request, never the process.
          try {
            finish(outcome);
          } catch (err) {
            internalError(req, res, err);
          }
        },
      );
      if (refused !== undefined) {
        proxyLog.warn({ api_id: api.id, reason: refused.invalid }, 'malformed request refused');
        fail(req, res, 'HG_ERR_REQUEST_MALFORMED', clientIp, api.id, path, started);
      }
    } catch (err) {
      internalError(req, res, err);
    }
  };
}
