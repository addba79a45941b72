import type { ApiSpec } from '../apidef/index.js';
import type { Certificate } from '../certs/index.js';
import type { Logger } from '../logging/index.js';
import type { GatewayMetrics } from '../metrics/index.js';
import type { EventDispatcher } from '../pipeline/index.js';
import type { CertificatesInUse } from './server-tls.js';

const DAY_MS = 86_400_000;

export interface ExpirySettings {
  readonly warningDays: number;
  readonly checkCooldownMs: number;
  readonly eventCooldownMs: number;
}

/** Reads the certificates certificate auth can accept, by API (they live in storage, not in definitions). */
export type DynamicCertificates = (apis: readonly ApiSpec[]) => Promise<ReadonlyMap<ApiSpec, readonly Certificate[]>>;

/**
 * Watches the certificates in use (server, allow lists, control API, and those linked to keys on
 * certificate-auth APIs): each check sets the
 * `hookgate_certificate_expiry_seconds` gauges, logs, and fires `CertificateExpiringSoon` (within
 * `warning_threshold_days`) or `CertificateExpired` to the event handlers of the APIs that use the
 * certificate (server certificates: every API), at most once per `event_cooldown_seconds` per
 * certificate and event.
 */
export class ExpiryMonitor {
  private inUse: CertificatesInUse | undefined;
  private apis: readonly ApiSpec[] = [];
  private dynamic: ReadonlyMap<ApiSpec, readonly Certificate[]> = new Map();
  private readonly lastFired = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: ExpirySettings,
    private readonly metrics: GatewayMetrics,
    private readonly events: EventDispatcher,
    private readonly logger: Logger,
    private readonly readDynamic?: DynamicCertificates,
  ) {}

  /** New certificates in use (after a rebuild): checked now, then every check_cooldown_seconds. */
  update(inUse: CertificatesInUse, apis: readonly ApiSpec[]): void {
    this.inUse = inUse;
    this.apis = apis;
    this.dynamic = new Map();
    this.check();
    void this.refresh();
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.refresh(), Math.max(this.settings.checkCooldownMs, 1000));
      this.timer.unref();
    }
  }

  /** Reads the certificate-auth certificates again (storage), then checks everything. */
  private async refresh(): Promise<void> {
    const apis = this.apis;
    if (this.readDynamic !== undefined) {
      try {
        const dynamic = await this.readDynamic(apis);
        // A reload during the read brought other APIs: the next refresh reads for them.
        if (apis === this.apis) this.dynamic = dynamic;
      } catch (err) {
        this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'certificates linked to keys (certificate auth) could not be read for the expiry check; the last ones read are checked');
      }
    }
    this.check();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  check(now = Date.now()): void {
    const inUse = this.inUse;
    if (inUse === undefined) return;
    const gauges: { id: string; usage: string; secondsLeft: number }[] = [];
    const visit = (cert: Certificate, usage: string, apis: readonly ApiSpec[]) => {
      if (cert.notAfter === undefined) return;
      const left = cert.notAfter.getTime() - now;
      gauges.push({ id: cert.id.startsWith('embedded-pem-') ? `embedded:${cert.fingerprint}` : cert.id, usage, secondsLeft: Math.round(left / 1000) });
      if (left < 0) this.fire('CertificateExpired', cert, usage, apis, left, now);
      else if (left < this.settings.warningDays * DAY_MS) this.fire('CertificateExpiringSoon', cert, usage, apis, left, now);
    };
    for (const cert of inUse.server) visit(cert, 'server', this.apis);
    // A certificate several APIs use is one gauge, and one event to each of those APIs.
    const byCertificate = (byApi: ReadonlyMap<ApiSpec, readonly Certificate[]>, usage: string) => {
      const users = new Map<string, { cert: Certificate; apis: ApiSpec[] }>();
      for (const [api, certs] of byApi) {
        for (const cert of certs) {
          const entry = users.get(cert.fingerprint) ?? { cert, apis: [] };
          entry.apis.push(api);
          users.set(cert.fingerprint, entry);
        }
      }
      for (const { cert, apis } of users.values()) visit(cert, usage, apis);
    };
    byCertificate(inUse.clientByApi, 'client_allow_list');
    for (const cert of inUse.control) visit(cert, 'control_api', []);
    byCertificate(this.dynamic, 'certificate_auth');
    this.metrics.certificatesInUse(gauges);
  }

  private fire(event: 'CertificateExpiringSoon' | 'CertificateExpired', cert: Certificate, usage: string, apis: readonly ApiSpec[], left: number, now: number): void {
    const key = `${event}:${cert.fingerprint}:${usage}`;
    const last = this.lastFired.get(key);
    if (last !== undefined && now - last < this.settings.eventCooldownMs) return;
    this.lastFired.set(key, now);
    const days = Math.floor(Math.abs(left) / DAY_MS);
    const expiresAt = cert.notAfter?.toISOString() ?? '';
    const name = /(?:^|\n)CN=([^\n]*)/.exec(cert.leaf?.subject ?? '')?.[1] ?? '';
    const message = event === 'CertificateExpired' ? `Certificate ${name} expired ${days} day(s) ago` : `Certificate ${name} expires in ${days} day(s)`;
    this.metrics.certificateEvent(event);
    this.logger.warn({ event, cert_id: cert.fingerprint, cert_name: name, usage, expires_at: expiresAt }, message);
    for (const api of apis) {
      this.events.fire(api, event, () => ({
        Message: message,
        CertID: cert.fingerprint,
        CertName: name,
        ExpiresAt: expiresAt,
        ...(event === 'CertificateExpired' ? { DaysSinceExpiry: days } : { DaysRemaining: days }),
        APIID: api.id,
        OrgID: api.orgId,
      }));
    }
  }
}
