import { createSecureContext, type SecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { ApiSpec } from '../apidef/index.js';
import { type Certificate, type CertificateStore } from '../certs/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { SniTable } from './sni.js';

/** Which listener a TLS server is: the gateway's (maybe also serving the control API) or the control API's own. */
export type ListenerRole = 'gateway' | 'control';

/** The certificates in use after a (re)build, for the expiry monitor. */
export interface CertificatesInUse {
  readonly server: readonly Certificate[];
  /** Allow-list certificates by API. */
  readonly clientByApi: ReadonlyMap<ApiSpec, readonly Certificate[]>;
  readonly control: readonly Certificate[];
}

/**
 * The gateway as a TLS server (tyk-config.md 3.5, 3.6): server certificates chosen by SNI (API
 * custom-domain certificates first, then the `certificates` key pairs by `domain_name`, then
 * `ssl_certificates` by the names they carry, else the first loaded), TLS versions and ciphers,
 * and whether a client certificate is asked for. Rebuilt on every API reload; the servers it is
 * attached to take the new contexts for new connections.
 */
export class ServerTls {
  private table = new SniTable();
  private requestCert = { gateway: false, control: false };
  private clientCas: Certificate[] = [];
  private controlCas: Certificate[] = [];
  private readonly servers: { server: TlsServer; role: ListenerRole }[] = [];
  private readonly contexts = new Map<Certificate, { gateway: SecureContext; control: SecureContext }>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly certs: CertificateStore,
    private readonly logger: Logger,
  ) {}

  /** Options for a new TLS server of this role; then `attach` it. */
  serverOptions(role: ListenerRole): SecureContextOptions & { SNICallback: (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void; requestCert: boolean; rejectUnauthorized: boolean } {
    return { ...this.baseOptions(role, this.table.defaultCert()), SNICallback: (name, cb) => cb(null, this.contextFor(name, role)), ...this.verifyMode(role) };
  }

  attach(server: TlsServer, role: ListenerRole): void {
    this.servers.push({ server, role });
  }

  /**
   * Resolves every server certificate and allow list the config and `apis` name, and applies the
   * result to the attached servers. Unresolvable references are logged; with TLS on and no server
   * certificate at all, this throws (no handshake could complete).
   */
  async rebuild(apis: readonly ApiSpec[]): Promise<CertificatesInUse> {
    const tls = this.config.tls;
    const missing: string[] = [];
    const resolve = async (refs: readonly string[]) => {
      const result = await this.certs.resolveAll(refs);
      missing.push(...result.missing);
      return result.found;
    };
    const table = new SniTable();
    for (const api of apis) {
      for (const cert of await resolve(api.tls.serverCertificates)) table.add('api', cert, api.tls.domain);
    }
    for (const named of tls.namedCertificates) {
      const cert = await this.certs.resolve(named.pem);
      if (cert !== undefined) table.add('named', cert, named.domain);
    }
    for (const cert of await resolve(tls.serverCertificates)) table.add('global', cert, '');
    const server = table.all().filter((cert) => {
      if (cert.keyPem !== undefined && cert.leaf !== undefined) return true;
      this.logger.warn({ cert_id: cert.id }, 'server certificate has no private key; not used');
      return false;
    });
    const clientByApi = new Map<ApiSpec, Certificate[]>();
    for (const api of apis) if (api.tls.clientCertificates !== undefined) clientByApi.set(api, await resolve(api.tls.clientCertificates));
    const control = await resolve(tls.control.certificates);
    if (missing.length > 0) this.logger.error({ references: [...new Set(missing)].map(describe) }, 'certificates not found (not in the certificate store, not a readable PEM file); they are not used until they can be resolved');
    if (tls.enabled && server.length === 0) throw new Error('http_server_options.use_ssl is true but no server certificate with a private key could be loaded');

    this.table = table;
    this.contexts.clear();
    this.clientCas = dedupe([...clientByApi.values()].flat().filter((c) => c.isCa || c.certs.length === 1));
    this.controlCas = dedupe(control);
    const controlShared = this.config.controlApiPort === 0 && tls.control.mutualTls;
    this.requestCert = {
      gateway: controlShared || apis.some((api) => api.tls.clientCertificates !== undefined || api.tls.certificateAuth),
      control: tls.control.mutualTls,
    };
    for (const { server: s, role } of this.servers) {
      s.setSecureContext(this.baseOptions(role, table.defaultCert()));
      // setSecureContext leaves these alone; each new connection reads them from the server.
      Object.assign(s, this.verifyMode(role));
    }
    return { server, clientByApi, control };
  }

  private verifyMode(role: ListenerRole): { requestCert: boolean; rejectUnauthorized: boolean } {
    // The control API's own port with mTLS refuses a missing or untrusted certificate in the
    // handshake; everywhere else a certificate is only asked for, and checked per API over HTTP.
    if (role === 'control') return { requestCert: this.requestCert.control, rejectUnauthorized: this.requestCert.control };
    return { requestCert: this.requestCert.gateway, rejectUnauthorized: false };
  }

  private baseOptions(role: ListenerRole, cert: Certificate | undefined): SecureContextOptions {
    const tls = this.config.tls;
    const cas = role === 'control' ? this.controlCas : this.requestCert.gateway && !tls.skipClientCaAnnouncement ? [...this.clientCas, ...(this.config.controlApiPort === 0 ? this.controlCas : [])] : [];
    const options: SecureContextOptions = { minVersion: tls.minVersion, maxVersion: tls.maxVersion };
    if (tls.ciphers !== undefined) options.ciphers = tls.ciphers;
    if (cert?.keyPem !== undefined) {
      options.cert = cert.certPem;
      options.key = cert.keyPem;
    }
    if (cas.length > 0) options.ca = cas.map((c) => c.certPem);
    return options;
  }

  private contextFor(servername: string, role: ListenerRole): SecureContext | undefined {
    const cert = this.table.select(servername) ?? this.table.defaultCert();
    if (cert === undefined) return undefined;
    let entry = this.contexts.get(cert);
    if (entry === undefined) {
      entry = { gateway: createSecureContext(this.baseOptions('gateway', cert)), control: createSecureContext(this.baseOptions('control', cert)) };
      this.contexts.set(cert, entry);
    }
    return role === 'control' ? entry.control : entry.gateway;
  }
}

function dedupe(certs: readonly Certificate[]): Certificate[] {
  const seen = new Set<string>();
  return certs.filter((c) => (seen.has(c.fingerprint) ? false : (seen.add(c.fingerprint), true)));
}

/** A reference for a log line: inline PEM is not printed whole. */
const describe = (ref: string) => (ref.includes('-----BEGIN ') ? '(inline PEM)' : ref);
