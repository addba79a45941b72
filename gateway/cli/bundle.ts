import { createInterface } from 'node:readline/promises';
import { buildBundle } from '../bundles/index.js';
import { isHookgateError } from '../errors/index.js';
import { helpText, parseOptions, type OptionSpecs } from './args.js';
import type { CommandIO } from './io.js';

const DEFAULT_MANIFEST = 'manifest.json';
const DEFAULT_OUTPUT = 'bundle.zip';

export const BUNDLE_BUILD_OPTIONS: OptionSpecs = {
  manifest: { type: 'string', short: 'm', value: 'file', description: 'the manifest', default: DEFAULT_MANIFEST },
  output: { type: 'string', short: 'o', value: 'file', description: 'the bundle to write', default: DEFAULT_OUTPUT },
  key: { type: 'string', short: 'k', value: 'file', description: 'PEM RSA private key to sign with (PKCS#1 or PKCS#8)' },
  'skip-signing': { type: 'boolean', short: 'y', description: 'build an unsigned bundle without asking' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export const BUNDLE_HELP = helpText(
  'hookgate bundle build [-m manifest.json] [-o bundle.zip] [-k key.pem | -y]',
  "Builds a plugin bundle as Tyk's `tyk bundle build` does: checks the manifest, writes the MD5\nchecksum of the listed files (read from the manifest's folder) and, with -k, their RSA signature\ninto it, and zips the listed files with manifest.json last. Without -k and -y it asks before\nbuilding an unsigned bundle, and refuses when there is no terminal to ask on.",
  BUNDLE_BUILD_OPTIONS,
);

/** Tyk's prompt, on the terminal; 'no-terminal' when standard input is not one (CI). */
async function confirmOnTerminal(io: CommandIO): Promise<'yes' | 'no' | 'no-terminal'> {
  if (process.stdin.isTTY !== true) return 'no-terminal';
  io.err('The bundle will be unsigned, type "y" or "yes" to confirm: ');
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const answer = await rl.question('');
    return answer.trim().toLowerCase().startsWith('y') ? 'yes' : 'no';
  } finally {
    rl.close();
  }
}

export async function bundleCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    io.out(BUNDLE_HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'build') {
    io.err(`hookgate bundle: unknown command ${JSON.stringify(sub)}. Commands: build. See hookgate bundle --help.\n`);
    return 2;
  }
  const options = parseOptions('bundle build', rest, BUNDLE_BUILD_OPTIONS);
  if (options['help'] === true) {
    io.out(BUNDLE_HELP);
    return 0;
  }
  const text = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const output = text('output');
  try {
    await buildBundle({
      manifestPath: text('manifest') ?? DEFAULT_MANIFEST,
      outputPath: output ?? DEFAULT_OUTPUT,
      defaultOutput: output === undefined || output === DEFAULT_OUTPUT,
      keyPath: text('key'),
      skipSigning: options['skip-signing'] === true,
      confirmUnsigned: () => confirmOnTerminal(io),
      info: (line) => io.out(`${line}\n`),
      warn: (line) => io.err(`warning: ${line}\n`),
    });
    return 0;
  } catch (err) {
    if (!isHookgateError(err, 'HG_ERR_BUNDLE_BUILD')) throw err;
    io.err(`hookgate bundle build: ${err.message}\n`);
    return 1;
  }
}
