import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../gateway/logging/index.js';
import type { ReadinessCheck } from '../dispatch/index.js';
import { SidecarSupervisor, type SidecarEvents, type SidecarSpec, type SidecarStatus } from '../sidecars/index.js';
import type { PluginData } from './data.js';
import { LINK_ENV } from './link-client.js';
import { LinkServer } from './link-server.js';
import type { RunDir } from './run-dir.js';

/** The CLI the bridges run as (`hookgate python-bridge`), next to this file in dist/. */
const CLI_MAIN = fileURLToPath(new URL('../../gateway/cli/main.js', import.meta.url));

/** A bundle folder some API runs with driver "python". */
export interface PythonBundle {
  /** Absolute folder holding manifest.json and the entry file. */
  readonly dir: string;
  /** custom_middleware_bundle, or the folder's name: the plugin's name in logs. */
  readonly name: string;
  /** Where its bridge serves (RunDir.bridgeAddress). */
  readonly address: string;
}

export interface PythonBridgeSettings {
  readonly python: string;
  /** Tyk's python_path_prefix ("" when unset). */
  readonly pathPrefix: string;
  readonly workers: number;
  readonly logLevel: string;
  readonly maxMessageBytes: number;
}

/** Importing a large bundle can take a while on a busy machine. */
const READY_TIMEOUT_MS = 30_000;

/**
 * The gateway's Python bridges: one sidecar per bundle folder (`hookgate python-bridge`), launched
 * when an API needs it and stopped when none does, supervised like any sidecar (readiness,
 * restarts with backoff, no orphans). They reach the gateway's storage and log over one link.
 */
export class PythonBridges extends EventEmitter<SidecarEvents> {
  private readonly running = new Map<string, { readonly bundle: PythonBundle; readonly supervisor: SidecarSupervisor }>();
  private link: Promise<LinkServer> | undefined;
  private readonly linkId = randomBytes(4).toString('hex');

  constructor(
    private readonly settings: PythonBridgeSettings,
    private readonly logger: Logger,
    private readonly data: PluginData,
    private readonly runDir: RunDir,
  ) {
    super();
  }

  /** Launches a bridge for every bundle without one; resolves once each is ready or failed its first start. */
  async add(bundles: readonly PythonBundle[]): Promise<void> {
    const fresh = unique(bundles).filter((b) => !this.running.has(b.address));
    if (fresh.length === 0) return;
    if (this.link === undefined) {
      this.runDir.acquire();
      // Bridge lines carry their own component (python, python-bridge) and plugin name.
      this.link = LinkServer.listen(this.linkPath(), this.data, this.logger);
    }
    await this.link;
    const started: Promise<void>[] = [];
    for (const bundle of fresh) {
      const supervisor = new SidecarSupervisor([this.specFor(bundle)], this.logger);
      supervisor.on('ready', (name) => this.emit('ready', name));
      supervisor.on('exit', (name, code, signal) => this.emit('exit', name, code, signal));
      supervisor.on('restart', (name, attempt) => this.emit('restart', name, attempt));
      this.running.set(bundle.address, { bundle, supervisor });
      started.push(supervisor.start());
    }
    await Promise.all(started);
  }

  /** Stops the bridges of bundles not in `bundles` (after a reload no API uses them). */
  async retain(bundles: readonly PythonBundle[]): Promise<void> {
    const keep = new Set(bundles.map((b) => b.address));
    const stopping: Promise<void>[] = [];
    for (const [address, { supervisor }] of this.running) {
      if (keep.has(address)) continue;
      this.running.delete(address);
      stopping.push(supervisor.stop());
    }
    await Promise.all(stopping);
  }

  /** Dispatch gating for a target this gateway's bridges serve; undefined for any other target. */
  readiness(target: string): ReadinessCheck | undefined {
    if (!this.runDir.owns(target)) return undefined;
    return () => {
      const entry = this.running.get(target);
      const status = entry?.supervisor.statuses()[0];
      if (status?.state === 'ready') return { ready: true };
      if (status === undefined) return { ready: false, reason: 'no Python bridge runs for this bundle' };
      return { ready: false, reason: `the Python bridge ${JSON.stringify(status.name)} is not ready (${status.state}${status.reason === undefined ? '' : `: ${status.reason}`})` };
    };
  }

  statuses(): SidecarStatus[] {
    return [...this.running.values()].flatMap(({ supervisor }) => supervisor.statuses());
  }

  /** Bridge process ids, for tests and diagnostics. */
  pids(): number[] {
    return this.statuses().map((s) => s.pid).filter((pid): pid is number => pid !== undefined);
  }

  async stop(): Promise<void> {
    await this.retain([]);
    const link = this.link;
    this.link = undefined;
    if (link === undefined) return;
    await (await link.catch(() => undefined))?.close();
    this.runDir.release();
  }

  /** One link per gateway: several gateways in one process share the run folder. */
  private linkPath(): string {
    return join(this.runDir.path, `link-${this.linkId}.sock`);
  }

  private specFor(bundle: PythonBundle): SidecarSpec {
    const { settings } = this;
    const args = [
      CLI_MAIN, 'python-bridge',
      '--bundle', bundle.dir,
      '--listen', bundle.address,
      '--name', bundle.name,
      '--workers', String(settings.workers),
      '--python', settings.python,
      '--log-level', settings.logLevel,
      '--max-message-bytes', String(settings.maxMessageBytes),
      ...(settings.pathPrefix === '' ? [] : ['--python-path-prefix', settings.pathPrefix]),
    ];
    return {
      name: `python:${bundle.name}`,
      command: process.execPath,
      args,
      env: { [LINK_ENV]: this.linkPath() },
      cwd: bundle.dir,
      address: bundle.address,
      readyTimeoutMs: READY_TIMEOUT_MS,
      stopGraceMs: 5000,
      restartBackoffInitialMs: 500,
      restartBackoffMaxMs: 10_000,
    };
  }
}

function unique(bundles: readonly PythonBundle[]): PythonBundle[] {
  const seen = new Map<string, PythonBundle>();
  for (const bundle of bundles) if (!seen.has(bundle.address)) seen.set(bundle.address, bundle);
  return [...seen.values()];
}
