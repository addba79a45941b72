import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { BridgeError, describeLoadProblem, LINK_ENV, LinkClient, PYTHON_RUNTIME_DIR, startBridge, StorePluginData, type PluginData, type RunningBridge } from '../../coprocess/index.js';
import { DEFAULT_GRPC_MAX_BYTES, loadConfigFile, type GatewayConfig } from '../config/index.js';
import { HookgateError } from '../errors/index.js';
import { createStore, MemoryStore, type Store } from '../storage/index.js';
import { helpText, parseOptions, type OptionSpecs } from './args.js';
import type { CommandIO } from './io.js';

export const PYTHON_BRIDGE_OPTIONS: OptionSpecs = {
  bundle: { type: 'string', value: 'dir', description: 'the bundle folder (manifest.json and its entry file)' },
  listen: { type: 'string', value: 'address', description: 'host:port, tcp://host:port or unix:///path', default: 'HOOKGATE_PLUGIN_ADDRESS, else 127.0.0.1:5555' },
  workers: { type: 'string', value: 'n', description: 'Python worker processes', default: 'one per core' },
  python: { type: 'string', value: 'executable', description: 'the Python 3 interpreter (3.8 or newer)', default: 'python3' },
  'python-path-prefix': { type: 'string', value: 'dir', description: "Tyk's python_path_prefix: <dir>/coprocess/python is added to sys.path" },
  conf: { type: 'string', value: 'file', description: 'a tyk.conf: its storage holds tyk.store_data values (default: in memory), its coprocess_options give the defaults above' },
  'timeout-ms': { type: 'string', value: 'ms', description: 'caps calls that come without a deadline (Tyk sends none)', default: '10000' },
  'max-message-bytes': { type: 'string', value: 'n', description: 'largest call or reply', default: String(DEFAULT_GRPC_MAX_BYTES) },
  name: { type: 'string', value: 'name', description: "the plugin's name in log lines", default: "the bundle folder's name" },
  'log-level': { type: 'string', value: 'level', description: 'debug, info, warn, error', default: 'info' },
  'print-pythonpath': { type: 'boolean', description: 'print the folder to put on PYTHONPATH for the Python test kit, and exit' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export const PYTHON_BRIDGE_HELP = helpText(
  'hookgate python-bridge --bundle <dir> [--listen <address>] [options]',
  'Serves a Tyk Python plugin bundle over the coprocess gRPC protocol (to Hookgate or to a Tyk gateway\nwith driver "grpc"), running its hooks in a pool of Python worker processes. The gateway starts one\nby itself for each API with driver "python"; run it yourself to serve a Tyk gateway. Exit code 3:\nthe bundle failed to load (the error names the file and line).',
  PYTHON_BRIDGE_OPTIONS,
);

function wholeNumber(value: string | undefined, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new HookgateError('HG_ERR_CLI_USAGE', `hookgate python-bridge: --${option} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`);
  return n;
}

interface Plumbing {
  readonly logger: Logger;
  readonly data: PluginData;
  close(): Promise<void>;
}

/** Launched by a gateway: log and storage over its link. On our own: JSON log lines on stdout, and a store of our own. */
async function plumbing(name: string, level: string, config: GatewayConfig | undefined, onLinkLost: () => void): Promise<Plumbing> {
  const linkPath = process.env[LINK_ENV];
  if (linkPath !== undefined && linkPath !== '') {
    const link = await LinkClient.connect(linkPath, name, onLinkLost);
    const logger = pino({ level, base: { plugin: name }, timestamp: false }, link.logDestination());
    return { logger, data: link, close: async () => link.close() };
  }
  const logger = pino({ level, base: { pid: process.pid, plugin: name }, timestamp: pino.stdTimeFunctions.isoTime });
  const store: Store = config === undefined ? new MemoryStore() : createStore(config.storage, logger);
  return { logger, data: new StorePluginData(store), close: () => store.close() };
}

export async function pythonBridgeCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const options = parseOptions('python-bridge', argv, PYTHON_BRIDGE_OPTIONS);
  const text = (key: string) => (typeof options[key] === 'string' ? (options[key] as string) : undefined);
  if (options['help'] === true) {
    io.out(PYTHON_BRIDGE_HELP);
    return 0;
  }
  if (options['print-pythonpath'] === true) {
    io.out(`${PYTHON_RUNTIME_DIR}\n`);
    return 0;
  }
  const bundle = text('bundle');
  if (bundle === undefined) throw new HookgateError('HG_ERR_CLI_USAGE', 'hookgate python-bridge: --bundle <dir> is required. See hookgate python-bridge --help.');
  const conf = text('conf');
  let config: GatewayConfig | undefined;
  if (conf !== undefined) {
    const loaded = await loadConfigFile(conf);
    if (loaded.config === undefined) throw new HookgateError('HG_ERR_CLI_USAGE', `hookgate python-bridge: ${conf}: ${loaded.errors.map((e) => e.message).join('; ')}`);
    config = loaded.config;
  }
  const python = config?.coprocess.python;
  const bundleDir = resolve(bundle);
  const name = text('name') ?? basename(bundleDir);
  const prefix = text('python-path-prefix') ?? python?.pathPrefix ?? '';
  const level = text('log-level') ?? 'info';

  let bridge: RunningBridge | undefined;
  let stopping: Promise<number> | undefined;
  const stop = (code: number) => {
    stopping ??= (async () => {
      await bridge?.close(code === 0 ? 3000 : 0);
      await pipes.close();
      return code;
    })();
    return stopping;
  };
  const pipes = await plumbing(name, level, config, () => void stop(1).then((code) => process.exit(code)));
  const log = pipes.logger.child({ component: 'python-bridge' });
  try {
    bridge = await startBridge({
      bundleDir,
      listen: text('listen') ?? process.env['HOOKGATE_PLUGIN_ADDRESS'] ?? '127.0.0.1:5555',
      name,
      workers: wholeNumber(text('workers'), 'workers', 0) || python?.workers || availableParallelism(),
      python: text('python') ?? python?.executable ?? 'python3',
      paths: prefix === '' ? [] : [join(resolve(prefix), 'coprocess', 'python')],
      callTimeoutMs: wholeNumber(text('timeout-ms'), 'timeout-ms', 1) ?? 10_000,
      startTimeoutMs: 30_000,
      maxMessageBytes: wholeNumber(text('max-message-bytes'), 'max-message-bytes', 1) ?? DEFAULT_GRPC_MAX_BYTES,
      logger: pipes.logger,
      data: pipes.data,
    });
  } catch (err) {
    if (err instanceof BridgeError && err.details.load !== undefined) {
      const load = err.details.load;
      log.error({ bundle: bundleDir, file: load.file, line: load.line, error: load.error, traceback: load.trace }, `the bundle failed to load: ${describeLoadProblem(load)}`);
      await pipes.close();
      return 3;
    }
    log.error({ bundle: bundleDir, err: err instanceof Error ? err.message : String(err) }, 'the Python bridge could not start');
    await pipes.close();
    return 1;
  }
  log.info({ address: bridge.address, port: bridge.port, bundle: bundleDir, workers: bridge.pool.workers, worker_pids: bridge.pool.pids(), python: bridge.ready.python, hooks: bridge.ready.hooks }, 'python bridge ready');

  const signal = await new Promise<NodeJS.Signals>((resolveSignal) => {
    const on = (s: NodeJS.Signals) => resolveSignal(s);
    process.once('SIGTERM', on);
    process.once('SIGINT', on);
  });
  log.info({ signal }, 'python bridge stopping');
  process.once('SIGTERM', () => process.exit(0));
  process.once('SIGINT', () => process.exit(0));
  return stop(0);
}
