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

/**
 * Watches the certificates in use (server, allow lists, control API): each check sets the
 * `hookgate_certificate_expiry_seconds` gauges, logs, and fires `CertificateExpiringSoon` (within
 * `warning_threshold_days`) or `CertificateExpired` to the event handlers of the APIs that use the
 * certificate (server certificates: every API), at most once per `event_cooldown_seconds` per
 * certificate and event.
 */
export class ExpiryMonitor {
  private inUse: CertificatesInUse | undefined;
  private apis: readonly ApiSpec[] = [];
  private readonly lastFired = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: ExpirySettings,
    private readonly metrics: GatewayMetrics,
    private readonly events: EventDispatcher,
    private readonly logger: Logger,
  ) {}

  /** New certificates in use (after a rebuild): checked now, then every check_cooldown_seconds. */
  update(inUse: CertificatesInUse, apis: readonly ApiSpec[]): void {
    this.inUse = inUse;
    this.apis = apis;
    this.check();
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.check(), Math.max(this.settings.checkCooldownMs, 1000));
      this.timer.unref();
    }
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
    for (const [api, certs] of inUse.clientByApi) for (const cert of certs) visit(cert, 'client_allow_list', [api]);
    for (const cert of inUse.control) visit(cert, 'control_api', []);
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
