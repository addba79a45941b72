import { constants, X509Certificate, createHash } from 'node:crypto';
import { isIP, type Socket } from 'node:net';
import { createSecureContext, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import type { ForwardProxy, UpstreamProfile, UpstreamTlsOptions } from '../upstream-tls/index.js';

/** Error codes of refusals made here, after the handshake (node's own TLS errors carry theirs). */
export const PIN_MISMATCH = 'HG_UPSTREAM_TLS_PIN_MISMATCH';
export const CN_MISMATCH = 'HG_UPSTREAM_TLS_CN_MISMATCH';
export const PROXY_REFUSED = 'HG_UPSTREAM_PROXY_REFUSED';

const coded = (message: string, code: string): Error => Object.assign(new Error(message), { code });

/** Undici's connect options with the host name unbracketed, as certificates name it. */
const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

/**
 * How one pool of upstream connections is opened: straight to the upstream, or through a forward
 * proxy (absolute-form requests for http:// upstreams, a CONNECT tunnel for https:// ones), with
 * the TLS settings of its profile. Everything that can be built once (the secure context with its
 * CAs, client certificate, ciphers and versions) is built here, at load, not per connection.
 */
export function upstreamConnector(profile: UpstreamProfile, timeoutMs: number): buildConnector.connector {
  const tls = profile.tls;
  const direct = buildConnector({ timeout: timeoutMs, ...(tls === undefined ? {} : tlsConnectOptions(tls)) });
  const checked: buildConnector.connector = (opts, callback) => {
    direct(opts, (...args) => {
      const [err, socket] = args;
      if (err !== null || tls === undefined || opts.protocol !== 'https:') {
        callback(...args);
        return;
      }
      const refusal = peerRefusal(socket as TLSSocket, bare(opts.hostname), tls);
      if (refusal === undefined) {
        callback(null, socket);
        return;
      }
      socket.destroy();
      callback(refusal, null);
    });
  };
  const proxy = profile.proxy;
  if (proxy === undefined) return checked;
  // The proxy's own certificate is checked against the upstreams' trust store (Go: the transport's RootCAs).
  const toProxy = buildConnector({ timeout: timeoutMs, ...(profile.proxyCa === undefined ? {} : { secureContext: createSecureContext({ ca: [...profile.proxyCa] }) }) });
  return (opts, callback) => {
    const proxyOpts = {
      hostname: proxy.hostname,
      host: `${proxy.hostname}:${proxy.port}`,
      protocol: proxy.protocol,
      port: String(proxy.port),
      ...(isIP(proxy.hostname) === 0 ? { servername: proxy.hostname } : {}),
    };
    toProxy(proxyOpts, (err, socket) => {
      if (err !== null) {
        callback(err, null);
        return;
      }
      // An http:// upstream is asked for in absolute form on this very connection (see forward.ts).
      if (opts.protocol !== 'https:') {
        callback(null, socket);
        return;
      }
      const authority = `${opts.hostname}:${opts.port === '' ? '443' : opts.port}`;
      openTunnel(socket, authority, proxy, timeoutMs, (tunnelErr) => {
        if (tunnelErr !== undefined) {
          socket.destroy();
          callback(tunnelErr, null);
          return;
        }
        checked({ ...opts, httpSocket: socket }, callback);
      });
    });
  };
}

/** Options for tls.connect that every connection of the pool shares. */
function tlsConnectOptions(tls: UpstreamTlsOptions): buildConnector.BuildOptions {
  const secureContext = createSecureContext({
    ...(tls.ca === undefined ? {} : { ca: [...tls.ca] }),
    ...(tls.clientCertificate === undefined ? {} : { cert: tls.clientCertificate.certPem, key: tls.clientCertificate.keyPem }),
    ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers }),
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
    ...(tls.disableRenegotiation ? { secureOptions: constants.SSL_OP_NO_RENEGOTIATION } : {}),
  });
  return {
    secureContext,
    rejectUnauthorized: tls.verifyChain,
    // With the CN check, the CN replaces the SAN host-name check; the chain is still verified.
    ...(tls.commonNameCheck ? { checkServerIdentity: () => undefined } : {}),
    // A resumed session does not carry the whole chain, and pins may name an intermediate.
    ...(tls.pins.length > 0 ? { maxCachedSessions: 0 } : {}),
  };
}

/**
 * The checks Tyk adds on top of the handshake, in Tyk's order: public-key pinning, then the CN
 * check. They run whether or not the chain was verified (insecureSkipVerify skips the chain, not these).
 */
function peerRefusal(socket: TLSSocket, host: string, tls: UpstreamTlsOptions): Error | undefined {
  if (tls.pins.length > 0 && !presentsPinnedKey(socket, tls.pins)) {
    return coded(`https://${host} certificate public key pinning error. Public keys do not match.`, PIN_MISMATCH);
  }
  if (tls.commonNameCheck) {
    const cn = socket.getPeerCertificate().subject?.CN as string | string[] | undefined;
    // Go keeps the last CN when a subject has several.
    const commonName = Array.isArray(cn) ? (cn.at(-1) ?? '') : (cn ?? '');
    if (commonName !== host) return coded(`certificate had CN ${commonName} expected ${host}`, CN_MISMATCH);
  }
  return undefined;
}

/** Whether any certificate of the presented chain has a pinned public key. */
function presentsPinnedKey(socket: TLSSocket, pins: readonly string[]): boolean {
  const seen = new Set<DetailedPeerCertificate>();
  for (let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true); cert?.raw !== undefined && !seen.has(cert); cert = cert.issuerCertificate) {
    seen.add(cert);
    const spki = new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' });
    if (pins.includes(createHash('sha256').update(spki).digest('hex'))) return true;
  }
  return false;
}

const MAX_PROXY_HEAD = 16 * 1024;

/** Asks the proxy for a tunnel (CONNECT) and waits for its 2xx; anything else is an error. */
function openTunnel(socket: Socket, authority: string, proxy: ForwardProxy, timeoutMs: number, done: (err?: Error) => void): void {
  let head = Buffer.alloc(0);
  let finished = false;
  const finish = (err?: Error) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.removeListener('error', finish);
    socket.removeListener('close', onClose);
    done(err);
  };
  const timer = setTimeout(() => finish(coded(`the forward proxy ${proxy.display} did not answer CONNECT ${authority} in ${timeoutMs} ms`, 'UND_ERR_CONNECT_TIMEOUT')), timeoutMs);
  const onClose = () => finish(coded(`the forward proxy ${proxy.display} closed the connection during CONNECT ${authority}`, PROXY_REFUSED));
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end === -1) {
      if (head.length > MAX_PROXY_HEAD) finish(coded(`the forward proxy ${proxy.display} sent an oversized answer to CONNECT`, PROXY_REFUSED));
      return;
    }
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'))?.[1];
    if (status === undefined || !status.startsWith('2')) {
      finish(coded(`the forward proxy ${proxy.display} refused CONNECT ${authority}: ${status === undefined ? 'not an HTTP answer' : `status ${status}`}`, PROXY_REFUSED));
      return;
    }
    const rest = head.subarray(end + 4);
    socket.pause();
    finish();
    // Bytes after the proxy's answer already belong to the upstream's TLS handshake.
    if (rest.length > 0) socket.unshift(rest);
  };
  socket.on('data', onData);
  socket.once('error', finish);
  socket.once('close', onClose);
  const auth = proxy.authorization === undefined ? '' : `Proxy-Authorization: ${proxy.authorization}\r\n`;
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
}
