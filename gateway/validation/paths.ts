export type DocPath = readonly PropertyKey[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `proxy.listen_path`, `custom_middleware.pre[0].name`, `auth_configs["odd key"]`. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const key = String(part);
      if (IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out === '' ? '(top level)' : out;
}

const MISSING = Symbol('missing');

/** The value at `path` inside `doc`, or MISSING when the path does not exist. */
export function valueAt(doc: unknown, path: DocPath): unknown {
  let current: unknown = doc;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return MISSING;
    const container = current as Record<PropertyKey, unknown>;
    if (!Object.prototype.hasOwnProperty.call(container, part)) return MISSING;
    current = container[part];
  }
  return current;
}

/** How a value is shown in an error: `42 (number)`, `"abc" (string)`, `nothing (missing)`. */
export function describeValue(value: unknown): string {
  if (value === MISSING) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
      return `${JSON.stringify(shown)} (string)`;
    }
    case 'number':
    case 'boolean':
      return `${String(value)} (${typeof value})`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
