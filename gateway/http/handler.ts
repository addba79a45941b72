import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SidecarStatus } from '../../coprocess/index.js';
import type { GatewayConfig } from '../config/index.js';
import { isControlPath } from '../control/index.js';
import { ERRORS, type ErrorCode, type ErrorResponder } from '../errors/index.js';
import { handleLiveness, handleReadiness } from '../health/index.js';
import type { AccessLogWriter, Logger, ThrottledLog } from '../logging/index.js';
import type { GatewayMetrics } from '../metrics/index.js';
import { completeUpstream, refuseTooLarge, RequestContext, runPipeline, type Completion, type PipelineDeps } from '../pipeline/index.js';
import { clientAddressOf, declaredLength, logRefusal } from '../proxy/index.js';
import { lenientView, mayReadDifferently, parseRequestTarget, requestHost, type HostRouter } from '../routing/index.js';
import type { Store } from '../storage/index.js';
import type { RouteTarget } from './routes.js';

export interface HandlerDeps {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** Undefined: no access log. */
  readonly accessLog: AccessLogWriter | undefined;
  readonly errors: ErrorResponder;
  readonly store: Store;
  readonly metrics: GatewayMetrics;
  /** Sidecars and Python bridges, as `/hello` components. */
  readonly sidecars: { statuses(): readonly SidecarStatus[] } | undefined;
  readonly pipeline: PipelineDeps;
  /** Read per request, so a reload can swap the routes under running traffic. */
  readonly routes: () => HostRouter<RouteTarget>;
  /** The control API (/tyk/...); undefined on a listener that does not serve it. */
  readonly control: ((req: IncomingMessage, res: ServerResponse, path: string, query: string) => void) | undefined;
  /** A listener for the control API only (control_api_port): no API routes. */
  readonly controlOnly?: boolean;
  readonly shuttingDown: () => boolean;
  /** Refused request paths (component `routing`), throttled. */
  readonly pathLog: ThrottledLog;
}

/** The gateway's request listener: health and metrics endpoints, routing, then the API's stages. */
export function createRequestHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, errors, metrics, pipeline } = deps;
  const accessLog = config.log.accessLog ? deps.accessLog : undefined;
  const healthState = { store: deps.store, sidecars: deps.sidecars, shuttingDown: deps.shuttingDown, hideGeneratorHeader: config.errors.hideGeneratorHeader };

  function done(req: IncomingMessage, clientIp: string, apiId: string | undefined, path: string, started: number, end: Completion) {
    const elapsed = performance.now() - started;
    if (apiId !== undefined) metrics.requestDone(apiId, end.status, elapsed / 1000);
    accessLog?.({ apiId, method: req.method, path, status: end.status, latencyMs: elapsed, upstreamLatencyMs: end.upstreamLatencyMs, clientIp });
  }

  function fail(req: IncomingMessage, res: ServerResponse, code: ErrorCode, clientIp: string, apiId: string | undefined, path: string, started: number) {
    errors.send(req, res, code);
    done(req, clientIp, apiId, path, started, { status: ERRORS[code].status, upstreamLatencyMs: -1 });
  }

  /** A path an upstream could read as another API's: 400, one throttled line. */
  function refuseAmbiguous(req: IncomingMessage, res: ServerResponse, reason: string, clientIp: string, path: string, started: number) {
    deps.pathLog.warn(`path:${reason}`, { reason, path: path.slice(0, 200), client_ip: clientIp }, 'ambiguous request path refused');
    res.setHeader('connection', 'close');
    fail(req, res, 'HG_ERR_PATH_AMBIGUOUS', clientIp, undefined, path, started);
  }

  function internalError(req: IncomingMessage, res: ServerResponse, err: unknown) {
    deps.logger.error({ err, method: req.method }, 'request handler failed');
    if (!res.writableEnded) errors.send(req, res, 'HG_ERR_INTERNAL');
  }

  function serveMetrics(req: IncomingMessage, res: ServerResponse) {
    metrics
      .render()
      .then(({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      })
      .catch((err: unknown) => internalError(req, res, err));
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
    if (target.ambiguity !== undefined) {
      refuseAmbiguous(req, res, target.ambiguity, clientIp, path, started);
      return;
    }
    if (path === config.health.livenessPath) {
      handleLiveness(req, res, healthState).catch((err: unknown) => internalError(req, res, err));
      return;
    }
    if (path === config.health.readinessPath) {
      handleReadiness(req, res, healthState).catch((err: unknown) => internalError(req, res, err));
      return;
    }
    if (path === config.metricsPath && req.method === 'GET') {
      serveMetrics(req, res);
      return;
    }
    if (deps.control !== undefined && isControlPath(path)) {
      deps.control(req, res, path, target.query);
      return;
    }
    if (deps.controlOnly === true) {
      res.statusCode = 404;
      res.end('404 page not found\n');
      return;
    }

    const routes = deps.routes().forHost(requestHost(req));
    const match = routes.match(path);
    if (mayReadDifferently(path) && routes.matchLenient(lenientView(path))?.value !== match?.value) {
      refuseAmbiguous(req, res, 'routes to another API when read leniently (case, ";", trailing dots)', clientIp, path, started);
      return;
    }
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
    const ctx = new RequestContext(req, res, api, clientIp, started, path, target.query, match.prefixLength, deps.shuttingDown);
    const finish = (end: Completion) => done(req, clientIp, api.id, path, started, end);
    ctx.maxBodyBytes = Math.min(config.limits.maxRequestBodyBytes, api.maxBodyBytes);
    const declared = declaredLength(req);
    if (declared !== undefined && declared > ctx.maxBodyBytes) {
      // Refused before any stage runs: no hook, auth call or upstream sees a body this large.
      refuseTooLarge(ctx, pipeline, `Content-Length ${declared} is over the limit of ${ctx.maxBodyBytes} bytes`).then(
        () => finish({ status: res.statusCode, upstreamLatencyMs: -1 }),
        (err: unknown) => internalError(req, res, err),
      );
      return;
    }
    if (route.stages !== undefined) {
      runPipeline(ctx, route.stages, pipeline).then(finish, (err: unknown) => {
        internalError(req, res, err);
        finish({ status: 500, upstreamLatencyMs: -1 });
      });
      return;
    }
    try {
      const refused = pipeline.proxy.forward(ctx, (outcome) => {
        // A bug in completing one request must fail that request, never the process.
        try {
          finish(completeUpstream(ctx, outcome, errors, pipeline.proxyLog));
        } catch (err) {
          internalError(req, res, err);
        }
      });
      if (refused !== undefined) {
        logRefusal(pipeline.proxyLog, api.id, refused);
        fail(req, res, refused.code, clientIp, api.id, path, started);
      }
    } catch (err) {
      internalError(req, res, err);
    }
  };
}
