import { isHookgateError } from '../errors/index.js';
import { startGateway, type RunningGateway } from '../gateway.js';
import type { GatewayConfig } from '../config/index.js';
import { createRootLogger, type RootLogger } from '../logging/index.js';
import { helpText, parseOptions, type OptionSpecs } from './args.js';
import type { CommandIO } from './io.js';
import { configErrorCount, formatReport, loadAll } from './load-all.js';
import { announceListening, isClusterWorker, onPrimaryReload, parseWorkers, reloadEveryWorker, runPrimary, shareMetrics, workersRefusal } from './workers.js';

export const START_OPTIONS: OptionSpecs = {
  conf: { type: 'string', value: 'file', description: 'the gateway config (tyk.conf)', default: 'tyk.conf' },
  workers: { type: 'string', value: 'n|auto', description: 'gateway processes sharing the ports (node:cluster); needs Redis storage when above 1', default: '1' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export const START_HELP = helpText(
  'hookgate start [--conf <file>] [--workers <n|auto>]',
  'Runs the gateway. A config with errors is refused with every problem listed; an API definition\nwith errors is refused (its listen path answers 404) while the other APIs serve.\nSIGTERM or SIGINT: stop accepting, let in-flight requests finish (graceful_shutdown_timeout_duration),\nthen exit 0. A second signal closes what is left at once.\nWith --workers N, send signals to the primary: it forwards them to every worker (docs/operations.md).',
  START_OPTIONS,
);

/**
 * A cluster worker stops on SIGTERM only: the primary forwards SIGTERM and SIGINT to it, and a
 * Ctrl-C at a terminal reaches the whole process group, so a worker's own SIGINT would be a
 * second signal and cut in-flight requests.
 */
const stopSignals = (): NodeJS.Signals[] => (isClusterWorker() ? ['SIGTERM'] : ['SIGTERM', 'SIGINT']);

function waitForSignal(): Promise<NodeJS.Signals> {
  if (isClusterWorker()) process.on('SIGINT', () => undefined);
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      for (const name of stopSignals()) process.removeListener(name, on);
      resolve(signal);
    };
    for (const name of stopSignals()) process.on(name, on);
  });
}

export async function startCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const options = parseOptions('start', argv, START_OPTIONS);
  if (options['help'] === true) {
    io.out(START_HELP);
    return 0;
  }
  const workers = parseWorkers(typeof options['workers'] === 'string' ? options['workers'] : undefined);
  const worker = isClusterWorker();
  // The logger exists as soon as the config does, so bundle downloads at startup are logged.
  let made: RootLogger | undefined;
  const rootFor = (c: GatewayConfig) => (made ??= createRootLogger({ level: c.log.level, format: c.log.format }));
  const report = await loadAll(typeof options['conf'] === 'string' ? options['conf'] : 'tyk.conf', (c) => rootFor(c).logger.child({ component: 'bundles' }));
  const config = report.config.config;
  if (config === undefined || configErrorCount(report) > 0) {
    io.err(`${formatReport(report).text}hookgate start: refusing to start with an invalid config.\n`);
    return 1;
  }
  const refusal = worker ? undefined : workersRefusal(config, workers);
  if (refusal !== undefined) {
    io.err(refusal);
    return 1;
  }

  const root = rootFor(config);
  const logger = worker ? root.logger.child({ worker: process.env['HOOKGATE_WORKER_ID'] }) : root.logger;
  const fatal = (kind: string) => (err: unknown) => {
    logger.fatal({ err }, `${kind}: the gateway stops`);
    root.flush();
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));

  for (const warning of report.config.warnings) logger.warn({ field: warning.path, file: config.source }, warning.message);
  if (workers > 1 && !worker) {
    // The primary serves nothing itself; its workers log their own warnings again.
    const code = await runPrimary({ config, workers, logger });
    root.flush();
    return code;
  }
  // SIGHUP reloads the API definitions, as Tyk does. Its handler is in place before the (possibly
  // long: storage, sidecars, bridges) startup, whose default action would kill the process: a
  // SIGHUP then is a reload once the gateway serves.
  let gateway: RunningGateway | undefined;
  let reloadOnceStarted = false;
  const reload = (started: RunningGateway) => {
    logger.info('SIGHUP: reloading API definitions');
    started.reload().catch((err: unknown) => logger.error({ err }, 'reload failed'));
  };
  process.on('SIGHUP', () => {
    if (gateway !== undefined) return reload(gateway);
    reloadOnceStarted = true;
    logger.info('SIGHUP during startup: the API definitions will be reloaded once the gateway serves');
  });
  try {
    const role = worker ? { launchSidecars: false, controlReload: reloadEveryWorker, onMetrics: shareMetrics } : undefined;
    gateway = await startGateway(config, { logger, accessLog: root.accessLog, apis: report.apis, policies: report.policies, role });
  } catch (err) {
    logger.fatal({ err: isHookgateError(err) ? err.message : err }, 'gateway failed to start');
    root.flush();
    return 1;
  }
  const running = gateway;
  if (reloadOnceStarted) reload(running);
  if (worker) {
    onPrimaryReload(() => reload(running));
    announceListening(running.port, running.controlPort);
  }
  const signal = await waitForSignal();
  logger.info({ signal }, 'signal received');
  const again = () => {
    logger.warn('second signal: closing every connection now');
    running.closeNow();
  };
  for (const name of stopSignals()) process.once(name, again);
  await running.shutdown();
  root.flush();
  return 0;
}
