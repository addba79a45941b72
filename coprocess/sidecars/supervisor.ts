import { EventEmitter } from 'node:events';
import type { Logger } from '../../gateway/logging/index.js';
import { normalizeAddress } from './address.js';
import { pdeathsigAvailable } from './launch.js';
import { grpcReadinessProbe } from './probe.js';
import { Sidecar } from './sidecar.js';
import type { ReadinessProbe, SidecarEvents, SidecarSpec, SidecarStatus } from './types.js';
import { checkSpecs } from './validate.js';

/** A run that stays ready this long is healthy: its next crash restarts after the initial delay. */
const DEFAULT_STABLE_AFTER_MS = 10_000;

export interface SidecarSupervisorOptions {
  /** How readiness is checked; a gRPC connection (grpcReadinessProbe) by default. */
  readonly probe?: ReadinessProbe;
  /** How long a sidecar must stay ready for its backoff to start over; 10 s by default. */
  readonly stableAfterMs?: number;
}

/**
 * Launches the plugin servers of `coprocess_options.sidecars`, waits until each answers gRPC,
 * forwards their output into the log, restarts them with backoff when they exit, and stops them.
 *
 * Commands should exec the server itself (`node server.js`, `python3 -m plugin`, a binary), not
 * a wrapper such as `npm run` or `sh -c`: signals and the kernel's parent-death kill reach the
 * direct child only, and a wrapper's grandchildren would outlive it.
 *
 * Single use: start() once, stop() once; a stopped supervisor launches nothing again.
 */
export class SidecarSupervisor extends EventEmitter<SidecarEvents> {
  private readonly sidecars = new Map<string, Sidecar>();
  private readonly names = new Map<string, string>();
  private readonly logger: Logger;
  private readonly viaSetpriv = pdeathsigAvailable();
  private started: Promise<void> | undefined;

  /** Throws if specs are inconsistent (duplicate names or addresses, impossible timings). */
  constructor(specs: readonly SidecarSpec[], logger: Logger, options: SidecarSupervisorOptions = {}) {
    super();
    checkSpecs(specs);
    this.logger = logger;
    const sidecarOptions = {
      probe: options.probe ?? grpcReadinessProbe,
      viaSetpriv: this.viaSetpriv,
      stableAfterMs: options.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS,
    };
    const listener = {
      ready: (name: string) => this.emit('ready', name),
      exit: (name: string, code: number | null, signal: string | null) => this.emit('exit', name, code, signal),
      restart: (name: string, attempt: number) => this.emit('restart', name, attempt),
    };
    for (const spec of specs) {
      const log = logger.child({ component: 'sidecar', sidecar: spec.name });
      this.sidecars.set(spec.name, new Sidecar(spec, log, sidecarOptions, listener));
      this.names.set(normalizeAddress(spec.address), spec.name);
    }
  }

  /**
   * Launches every sidecar. Resolves once each is ready or its first attempt has failed; never
   * rejects. A failed sidecar keeps retrying with backoff in the background.
   */
  start(): Promise<void> {
    if (this.started !== undefined) return this.started;
    if (!this.viaSetpriv && this.sidecars.size > 0) {
      this.logger.child({ component: 'sidecar' }).warn(
        '/usr/bin/setpriv is not available: sidecars are launched directly, and if the gateway is killed (SIGKILL, OOM) they are left running',
      );
    }
    this.started = Promise.all([...this.sidecars.values()].map((sidecar) => sidecar.start())).then(() => undefined);
    return this.started;
  }

  /** No more restarts; SIGTERM, then SIGKILL after stopGraceMs; resolves when every process has exited. */
  async stop(): Promise<void> {
    await Promise.all([...this.sidecars.values()].map((sidecar) => sidecar.stop()));
  }

  status(name: string): SidecarStatus | undefined {
    return this.sidecars.get(name)?.status();
  }

  /** True while the sidecar answers: its hooks may be dispatched. */
  isReady(name: string): boolean {
    return this.sidecars.get(name)?.status().state === 'ready';
  }

  /** The sidecar serving `address` (`host:port`, `tcp://host:port` or `unix:///path`), if any. */
  nameForAddress(address: string): string | undefined {
    return this.names.get(normalizeAddress(address));
  }

  /** Every sidecar, in the order of the specs. */
  statuses(): SidecarStatus[] {
    return [...this.sidecars.values()].map((sidecar) => sidecar.status());
  }
}
