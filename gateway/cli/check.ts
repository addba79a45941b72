import { helpText, parseOptions, type OptionSpecs } from './args.js';
import type { CommandIO } from './io.js';
import { formatReport, loadAll } from './load-all.js';

export const CHECK_OPTIONS: OptionSpecs = {
  conf: { type: 'string', value: 'file', description: 'the gateway config (tyk.conf)', default: 'tyk.conf' },
  strict: { type: 'boolean', description: 'also fail on warnings' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export const CHECK_HELP = helpText(
  'hookgate check [--conf <file>] [--strict]',
  'Loads and validates the config and every API definition in its app_path, prints every problem\nfound, and exits 1 if there is any error (or any warning, with --strict).',
  CHECK_OPTIONS,
);

export async function checkCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const options = parseOptions('check', argv, CHECK_OPTIONS);
  if (options['help'] === true) {
    io.out(CHECK_HELP);
    return 0;
  }
  const report = await loadAll(typeof options['conf'] === 'string' ? options['conf'] : 'tyk.conf');
  const { text, errors, warnings } = formatReport(report);
  (errors > 0 ? io.err : io.out)(text);
  return errors > 0 || (options['strict'] === true && warnings > 0) ? 1 : 0;
}
