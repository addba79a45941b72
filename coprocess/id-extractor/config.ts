import { closestMatch, describeValue, type Problem } from '../../gateway/validation/index.js';
import { translateRe2 } from './re2.js';
import type { CompiledIdExtractor, ExtractorMethod, ExtractorSource, IdExtractorCompilation } from './types.js';
import { compileXPath } from './xpath.js';

/**
 * Compiles an API's ID extractor settings once, at load. An extractor exists exactly when Tyk's
 * `getIDExtractor` makes one: not disabled, and `extract_with` is value, regex or xpath. Beyond
 * that, every setting Tyk would only trip over per request, or would run in a way that shares one
 * session between clients, is refused here with its path:
 * - `extract_from` other than header, form or body. `querystring` exists in Tyk's constants but no
 *   extractor reads it (the value is "", so every request gets one ID, or a 400 for each); it is
 *   refused rather than invented. Use `form`: it reads the query string too;
 * - `value` with the body: Tyk's value extractor returns "" for it, one shared ID (a quirk);
 * - an empty `header_name` / `param_name` for that source (Tyk: a 400 for every request), or a
 *   header name that is not an HTTP token (no request can carry it);
 * - a missing or invalid regex (see re2.ts for what is refused), a regex_match_index that is not a
 *   whole number of 0 or more (Tyk panics on a negative one), a missing or unsupported XPath;
 * - a field of the wrong type (Tyk's mapstructure decode fails, and Tyk then runs no extractor).
 * Unknown keys and settings the chosen source and method do not use are warnings.
 */

interface Spelling {
  readonly defaultPath: string;
  readonly enabled: { readonly key: string; readonly on: boolean };
  readonly from: string;
  readonly with: string;
  readonly config: string;
  readonly fields: Readonly<Record<Field, string>>;
  /** Keys of the extractor object checked here; classic ones are checked by the API schema. */
  readonly topKeys: readonly string[] | undefined;
}

type Field = 'headerName' | 'paramName' | 'regex' | 'matchIndex' | 'xpath';

const CLASSIC: Spelling = {
  defaultPath: 'custom_middleware.id_extractor',
  enabled: { key: 'disabled', on: false },
  from: 'extract_from',
  with: 'extract_with',
  config: 'extractor_config',
  fields: { headerName: 'header_name', paramName: 'param_name', regex: 'regex_expression', matchIndex: 'regex_match_index', xpath: 'xpath_expression' },
  topKeys: undefined,
};

const OAS: Spelling = {
  defaultPath: 'x-tyk-api-gateway.server.authentication.custom.config.idExtractor',
  enabled: { key: 'enabled', on: true },
  from: 'source',
  with: 'with',
  config: 'config',
  fields: { headerName: 'headerName', paramName: 'formParamName', regex: 'regexp', matchIndex: 'regexpMatchIndex', xpath: 'xPathExp' },
  topKeys: ['enabled', 'source', 'with', 'config'],
};

const SOURCES = ['header', 'form', 'body'] as const;
const METHODS = ['value', 'regex', 'xpath'] as const;
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const USED_BY: Readonly<Record<Field, (source: string, method: string) => boolean>> = {
  headerName: (source) => source === 'header',
  paramName: (source) => source === 'form',
  regex: (_source, method) => method === 'regex',
  matchIndex: (_source, method) => method === 'regex',
  xpath: (_source, method) => method === 'xpath',
};

export interface CompileOptions {
  /** Where the settings sit in the document, for messages; Tyk's place by default. */
  readonly path?: string;
}

/** The classic form: `custom_middleware.id_extractor` = `{disabled, extract_from, extract_with, extractor_config}`. */
export function compileIdExtractor(settings: unknown, options: CompileOptions = {}): IdExtractorCompilation {
  return compile(CLASSIC, settings, options.path ?? CLASSIC.defaultPath);
}

/** The OAS form: `...authentication.custom.config.idExtractor` = `{enabled, source, with, config}`. */
export function compileOasIdExtractor(settings: unknown, options: CompileOptions = {}): IdExtractorCompilation {
  return compile(OAS, settings, options.path ?? OAS.defaultPath);
}

function compile(spelling: Spelling, settings: unknown, base: string): IdExtractorCompilation {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const at = (...keys: string[]) => [base, ...keys].join('.');
  const fail = (path: string, message: string) => errors.push({ path, message: `\`${path}\`: ${message}` });
  const expected = (path: string, what: string, value: unknown) => errors.push({ path, message: `Expected \`${path}\` to be ${what}, got ${describeValue(value)}` });
  const invalid = (): IdExtractorCompilation => ({ status: 'invalid', errors, warnings });

  if (settings === undefined || settings === null) return { status: 'none', reason: 'no ID extractor is configured', warnings };
  if (!isObject(settings)) {
    expected(base, 'an object', settings);
    return invalid();
  }
  if (spelling.topKeys !== undefined) unknownKeys(settings, spelling.topKeys, base, warnings);

  const flag = settings[spelling.enabled.key];
  if (flag !== undefined && flag !== null && typeof flag !== 'boolean') {
    expected(at(spelling.enabled.key), 'true or false', flag);
    return invalid();
  }
  if ((flag === true) !== spelling.enabled.on) return { status: 'none', reason: `the ID extractor is off (\`${at(spelling.enabled.key)}\`)`, warnings };

  const method = settings[spelling.with] ?? '';
  if (typeof method !== 'string') {
    expected(at(spelling.with), 'a string', method);
    return invalid();
  }
  if (!isOneOf(method, METHODS)) {
    if (method !== '') {
      const guess = closestMatch(method, METHODS);
      warnings.push({
        path: at(spelling.with),
        message: `\`${at(spelling.with)}\` is ${JSON.stringify(method)}, not value, regex or xpath, so the API has no ID extractor (as in Tyk)${guess === undefined ? '' : `; did you mean "${guess}"?`}`,
      });
    }
    return { status: 'none', reason: `\`${at(spelling.with)}\` is not value, regex or xpath`, warnings };
  }

  const sourceName = settings[spelling.from] ?? '';
  if (sourceName === 'querystring') {
    fail(at(spelling.from), 'no Tyk extractor reads "querystring" (each would see "" and give every request one session ID, or a 400); it is refused. Use "form": it reads the query string');
  } else if (typeof sourceName !== 'string' || !isOneOf(sourceName, SOURCES)) {
    expected(at(spelling.from), '"header", "form" or "body"', sourceName);
  }

  const configValue = settings[spelling.config] ?? {};
  if (!isObject(configValue)) {
    expected(at(spelling.config), 'an object', configValue);
    return invalid();
  }
  unknownKeys(configValue, Object.values(spelling.fields), at(spelling.config), warnings);
  const fieldPath = (field: Field) => at(spelling.config, spelling.fields[field]);
  const text = (field: Field): string => {
    const value = configValue[spelling.fields[field]] ?? '';
    if (typeof value === 'string') return value;
    expected(fieldPath(field), 'a string', value);
    return '';
  };
  const fields = { headerName: text('headerName'), paramName: text('paramName'), regex: text('regex'), xpath: text('xpath'), matchIndex: 0 };
  const index = configValue[spelling.fields.matchIndex] ?? 0;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    expected(fieldPath('matchIndex'), 'a whole number, 0 or more (the match to take, counting from 0)', index);
  } else fields.matchIndex = index;

  if (typeof sourceName === 'string') {
    for (const field of Object.keys(USED_BY) as Field[]) {
      const set = field === 'matchIndex' ? fields.matchIndex !== 0 : fields[field] !== '';
      if (set && !USED_BY[field](sourceName, method)) {
        warnings.push({ path: fieldPath(field), message: `\`${fieldPath(field)}\` is ignored: the extractor reads ${sourceName || 'nothing'} with ${method}` });
      }
    }
  }

  let source: ExtractorSource | undefined;
  if (sourceName === 'header') {
    if (fields.headerName === '') fail(fieldPath('headerName'), 'is required when the source is "header" (without it, Tyk answers 400 to every request)');
    else if (!HTTP_TOKEN.test(fields.headerName)) fail(fieldPath('headerName'), `${JSON.stringify(fields.headerName)} is not a valid HTTP header name, so no request can carry it`);
    else source = { kind: 'header', headerName: fields.headerName };
  } else if (sourceName === 'form') {
    if (fields.paramName === '') fail(fieldPath('paramName'), 'is required when the source is "form" (without it, Tyk answers 400 to every request)');
    else source = { kind: 'form', paramName: fields.paramName };
  } else if (sourceName === 'body') {
    if (method === 'value') {
      fail(at(spelling.from), 'the value extractor does not read the body: Tyk extracts "" for it, so every request would share one session ID; it is refused. Use regex or xpath on the body');
    } else source = { kind: 'body' };
  }

  let compiled: ExtractorMethod | undefined;
  if (method === 'value') compiled = { kind: 'value' };
  else if (method === 'regex') {
    if (fields.regex === '') fail(fieldPath('regex'), 'is required for the regex extractor');
    else {
      const translated = translateRe2(fields.regex);
      if (!translated.ok) fail(fieldPath('regex'), `${JSON.stringify(fields.regex)} is refused: ${translated.reason}`);
      else compiled = { kind: 'regex', expression: fields.regex, matchIndex: fields.matchIndex, regexp: translated.regexp };
    }
  } else if (fields.xpath === '') fail(fieldPath('xpath'), 'is required for the xpath extractor');
  else {
    const path = compileXPath(fields.xpath);
    if (!path.ok) fail(fieldPath('xpath'), `${JSON.stringify(fields.xpath)} is refused: ${path.reason}`);
    else compiled = { kind: 'xpath', expression: fields.xpath, path: path.path };
  }

  if (errors.length > 0 || source === undefined || compiled === undefined) return invalid();
  const extractor: CompiledIdExtractor = Object.freeze({ source: Object.freeze(source), method: Object.freeze(compiled) });
  return { status: 'compiled', extractor, warnings };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOneOf<T extends string>(value: string, options: readonly T[]): value is T {
  return (options as readonly string[]).includes(value);
}

function unknownKeys(object: Record<string, unknown>, known: readonly string[], base: string, warnings: Problem[]): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const guess = closestMatch(key, known);
    warnings.push({ path: `${base}.${key}`, message: `Unknown key \`${base}.${key}\` is ignored${guess === undefined ? '' : `; did you mean \`${guess}\`?`}` });
  }
}
