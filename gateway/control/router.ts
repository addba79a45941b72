import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAllowList, peerCertificates, type CertificateStore } from '../certs/index.js';
import type { GatewayConfig } from '../config/index.js';
import { isHookgateError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import { requestHost } from '../routing/index.js';
import type { PolicyStore } from '../policy/index.js';
import type { SessionStore } from '../session/index.js';
import { handleCerts } from './certs.js';
import { handleKeys } from './keys.js';
import { apiError, apiOk } from './respond.js';
import { secretMatches } from './secret.js';

export interface ControlDeps {
  readonly config: GatewayConfig;
  readonly sessions: SessionStore;
  readonly certs: CertificateStore;
  readonly policies: PolicyStore;
  readonly logger: Logger;
  /** Reloads API definitions; resolves when the new set serves. */
  readonly reload: () => Promise<void>;
}

/** Whether a path belongs to the control API. */
export const isControlPath = (path: string) => path === '/tyk' || path.startsWith('/tyk/');

/**
 * Tyk's Gateway API under /tyk/ (tyk-config.md 4.1): the `X-Tyk-Authorization` secret checked
 * in constant time on every route (403 otherwise, and always when no secret is configured),
 * then, with `security.control_api_use_mutual_tls`, the client certificate (403 with Tyk's
 * texts); trailing slashes ignored, 405 for a wrong method, 404 for an unknown route. With
 * `control_api_hostname`, /tyk/ answers only on that host (Tyk answers on any, quirk 21).
 */
export function createControlHandler(deps: ControlDeps): (req: IncomingMessage, res: ServerResponse, path: string, query: string) => void {
  const log = deps.logger.child({ component: 'control' });
  const { control } = deps.config.tls;
  return (req, res, path, query) => {
    if (control.hostname !== '' && requestHost(req) !== control.hostname) {
      res.statusCode = 404;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('404 page not found\n');
      return;
    }
    const header = req.headers['x-tyk-authorization'];
    if (!secretMatches(Array.isArray(header) ? header[0] : header, deps.config.secret)) {
      log.warn({ client_ip: req.socket.remoteAddress }, 'Attempted administrative access with invalid or missing key!');
      apiError(res, 403, 'Attempted administrative access with invalid or missing key!');
      return;
    }
    if (control.mutualTls) {
      deps.certs
        .resolveAll(control.certificates)
        .then(({ found }) => {
          const check = checkAllowList(peerCertificates(req.socket), found);
          if (!check.ok) {
            log.warn({ client_ip: req.socket.remoteAddress, reason: check.message }, 'control API client certificate refused');
            apiError(res, 403, check.message);
            return;
          }
          route(req, res, path, query);
        })
        .catch((err: unknown) => {
          log.error({ err: err instanceof Error ? err.message : String(err) }, 'control API client certificate check failed');
          apiError(res, 503, 'Storage unavailable; see the gateway log');
        });
      return;
    }
    route(req, res, path, query);
  };

  function route(req: IncomingMessage, res: ServerResponse, path: string, query: string): void {
    const route = path.slice('/tyk'.length).replace(/\/+$/, '');
    const url = new URL(`http://control/?${query}`);
    const fail = (err: unknown) => {
      log.error({ err: err instanceof Error ? err.message : String(err), route }, 'control API request failed');
      if (res.headersSent) return;
      // A reload refused for bad policies says why; otherwise the control API's failures are
      // storage failures: say so, with the status clients retry on.
      if (isHookgateError(err, 'HG_ERR_POLICY_INVALID')) apiError(res, 500, err.message);
      else apiError(res, 503, 'Storage unavailable; see the gateway log');
    };
    if (route === '/keys' || route.startsWith('/keys/')) {
      const name = route === '/keys' ? undefined : decodeURIComponent(route.slice('/keys/'.length));
      if (name === 'create' && req.method === 'POST') {
        handleKeys(req, res, deps, undefined, url, { create: true }).catch(fail);
        return;
      }
      handleKeys(req, res, deps, name, url).catch(fail);
      return;
    }
    if (route === '/certs' || route.startsWith('/certs/')) {
      const id = route === '/certs' ? undefined : decodeURIComponent(route.slice('/certs/'.length));
      handleCerts(req, res, { certs: deps.certs, logger: log }, id, url).catch(fail);
      return;
    }
    if (route === '/reload' || route === '/reload/group') {
      if (req.method !== 'GET') {
        apiError(res, 405, 'Method not supported');
        return;
      }
      // Tyk answers at once and reloads in the background, unless ?block=true.
      if (url.searchParams.get('block') === 'true') {
        deps.reload().then(() => apiOk(res), fail);
      } else {
        apiOk(res);
        deps.reload().catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'reload failed'));
      }
      return;
    }
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('404 page not found\n');
  }
}
