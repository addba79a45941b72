import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The gateway's Prometheus metrics, on a registry of its own (several gateways can run in one
 * process in tests). Label children are cached per API so the request path does no label hashing.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'hookgate_http_requests_total', help: 'Requests answered, by API and status code.', labelNames: ['api_id', 'code'], registers: [this.registry] });
  private readonly requestSeconds = new Histogram({ name: 'hookgate_http_request_duration_seconds', help: 'Time from request to response, by API.', labelNames: ['api_id'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly hookSeconds = new Histogram({ name: 'hookgate_hook_duration_seconds', help: 'Dispatch call latency per plugin hook, including failed calls.', labelNames: ['api_id', 'hook', 'hook_type'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly hookErrors = new Counter({ name: 'hookgate_hook_errors_total', help: 'Failed hook calls, by gRPC status (or NOT_READY, TOO_LARGE, DECODE when no status applies).', labelNames: ['api_id', 'hook', 'hook_type', 'code'], registers: [this.registry] });
  private readonly hookFailOpen = new Counter({ name: 'hookgate_hook_fail_open_total', help: 'Failed non-auth hook calls that let the request continue because the hook is fail_open.', labelNames: ['api_id', 'hook', 'hook_type'], registers: [this.registry] });
  private readonly limitsFailOpen = new Counter({ name: 'hookgate_limits_fail_open_total', help: 'Requests let through without rate limit or quota because storage was unreachable (limits_on_storage_failure: fail_open).', labelNames: ['api_id'], registers: [this.registry] });
  private readonly sidecarRestarts = new Counter({ name: 'hookgate_sidecar_restarts_total', help: 'Sidecar restarts after an exit or a failed start.', labelNames: ['sidecar'], registers: [this.registry] });
  private readonly sidecarUp = new Gauge({ name: 'hookgate_sidecar_ready', help: '1 while the sidecar is ready, else 0.', labelNames: ['sidecar'], registers: [this.registry] });
  private readonly certExpiry = new Gauge({ name: 'hookgate_certificate_expiry_seconds', help: 'Seconds until a certificate in use expires (negative once expired), by certificate ID and use.', labelNames: ['cert_id', 'usage'], registers: [this.registry] });
  private readonly certEvents = new Counter({ name: 'hookgate_certificate_expiry_events_total', help: 'CertificateExpiringSoon and CertificateExpired events fired.', labelNames: ['event'], registers: [this.registry] });
  private readonly perApi = new Map<string, { seconds: Histogram.Internal<string>; codes: Map<number, Counter.Internal> }>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'hookgate_' });
  }

  requestDone(apiId: string, status: number, seconds: number): void {
    let api = this.perApi.get(apiId);
    if (api === undefined) {
      api = { seconds: this.requestSeconds.labels(apiId), codes: new Map() };
      this.perApi.set(apiId, api);
    }
    let counter = api.codes.get(status);
    if (counter === undefined) {
      counter = this.requests.labels(apiId, String(status));
      api.codes.set(status, counter);
    }
    counter.inc();
    api.seconds.observe(seconds);
  }

  hookDone(apiId: string, hook: string, hookType: string, seconds: number): void {
    this.hookSeconds.labels(apiId, hook, hookType).observe(seconds);
  }

  hookError(apiId: string, hook: string, hookType: string, code: string): void {
    this.hookErrors.labels(apiId, hook, hookType, code).inc();
  }

  hookFailedOpen(apiId: string, hook: string, hookType: string): void {
    this.hookFailOpen.labels(apiId, hook, hookType).inc();
  }

  limitsFailedOpen(apiId: string): void {
    this.limitsFailOpen.labels(apiId).inc();
  }

  sidecarRestarted(name: string): void {
    this.sidecarRestarts.labels(name).inc();
  }

  sidecarReady(name: string, ready: boolean): void {
    this.sidecarUp.labels(name).set(ready ? 1 : 0);
  }

  /** Replaces the certificate expiry gauges with the certificates now in use. */
  certificatesInUse(entries: readonly { readonly id: string; readonly usage: string; readonly secondsLeft: number }[]): void {
    this.certExpiry.reset();
    for (const e of entries) this.certExpiry.labels(e.id, e.usage).set(e.secondsLeft);
  }

  certificateEvent(event: string): void {
    this.certEvents.labels(event).inc();
  }

  /** Under `--workers N`: renders the sum over every worker instead (gateway/cli/workers.ts). */
  private aggregate: ((local: Registry) => Promise<string>) | undefined;

  aggregateWith(aggregate: (local: Registry) => Promise<string>): void {
    this.aggregate = aggregate;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    const body = this.aggregate === undefined ? await this.registry.metrics() : await this.aggregate(this.registry);
    return { contentType: this.registry.contentType, body };
  }
}
