import { parseArgs } from 'node:util';
import { HookgateError } from '../errors/index.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly value?: string;
  readonly description: string;
  readonly default?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** "--conf <file>, --strict, --help" */
export function listOptions(specs: OptionSpecs): string {
  return Object.entries(specs)
    .map(([name, spec]) => `--${name}${spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : ''}`)
    .join(', ');
}

/**
 * Parses one command's options strictly: an unknown option, a missing value or a stray argument
 * is an error that names the known options.
 */
export function parseOptions(command: string, argv: readonly string[], specs: OptionSpecs): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  }
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    return values as Record<string, string | boolean | undefined>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    let reason = message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = /'([^']+)'/.exec(message)?.[1] ?? message;
      reason = `unknown option ${option}`;
    } else if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']+)'/.exec(message)?.[1] ?? message;
      reason = `unexpected argument ${JSON.stringify(arg)}`;
    } else if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      reason = message.replace(/^Option '([^']+)'.*argument missing.*$/s, 'option $1 needs a value');
    }
    throw new HookgateError('HG_ERR_CLI_USAGE', `hookgate ${command}: ${reason}. Known options: ${listOptions(specs)}`, { cause: err });
  }
}

export function helpText(usage: string, summary: string, specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const flag = `${spec.short === undefined ? '    ' : `-${spec.short}, `}--${name}${spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : ''}`;
    const def = spec.default === undefined ? '' : ` (default: ${spec.default})`;
    return `  ${flag.padEnd(24)} ${spec.description}${def}`;
  });
  return `Usage: ${usage}\n\n${summary}\n\nOptions:\n${rows.join('\n')}\n`;
}
