import { isHookgateError } from '../errors/index.js';
import { VERSION } from '../meta.js';
import { bundleCommand, BUNDLE_HELP } from './bundle.js';
import { checkCommand, CHECK_HELP } from './check.js';
import { processIO, type CommandIO } from './io.js';
import { pythonBridgeCommand, PYTHON_BRIDGE_HELP } from './python-bridge.js';
import { startCommand, START_HELP } from './start.js';

const COMMANDS: Record<string, { run: (argv: readonly string[], io: CommandIO) => Promise<number>; summary: string; help: string }> = {
  start: { run: startCommand, summary: 'run the gateway', help: START_HELP },
  check: { run: checkCommand, summary: 'validate the config and every API definition', help: CHECK_HELP },
  bundle: { run: bundleCommand, summary: 'build a plugin bundle (hookgate bundle build)', help: BUNDLE_HELP },
  'python-bridge': { run: pythonBridgeCommand, summary: 'serve a Python plugin bundle over gRPC (Tyk\'s Python API)', help: PYTHON_BRIDGE_HELP },
};

export const MAIN_HELP = `Usage: hookgate <command> [options]

Hookgate: an API gateway whose auth and middleware hooks run in plugin servers over Tyk's
coprocess gRPC protocol. It reads Tyk's tyk.conf and API definitions.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`)
  .join('\n')}

Options:
  -h, --help      show help (also: hookgate <command> --help)
  -v, --version   print the version

"hookgate --conf tyk.conf" (no command) runs "start", like Tyk's "tyk --conf".
`;

/** Runs the command line; resolves to the exit code. */
export async function run(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      const topic = first === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
      io.out(topic?.help ?? MAIN_HELP);
      return first === undefined ? 2 : 0;
    }
    if (first === '-v' || first === '--version') {
      io.out(`hookgate ${VERSION}\n`);
      return 0;
    }
    if (first.startsWith('--conf')) return await startCommand(argv, io);
    const command = COMMANDS[first];
    if (command === undefined) {
      io.err(`hookgate: unknown command ${JSON.stringify(first)}. Commands: ${Object.keys(COMMANDS).join(', ')}. See hookgate --help.\n`);
      return 2;
    }
    return await command.run(rest, io);
  } catch (err) {
    if (isHookgateError(err, 'HG_ERR_CLI_USAGE')) {
      io.err(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
