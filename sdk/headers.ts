/**
 * Header names as Tyk's gateway sees them. Go keys request headers by their canonical MIME form
 * (`x-api-key` -> `X-Api-Key`), and plugins written for Tyk look them up by exact key; the SDK's
 * lookups are case-insensitive so a plugin works whatever form a gateway sends.
 */

/**
 * Go's textproto.CanonicalMIMEHeaderKey, the form Tyk keys request headers by. Names with
 * characters outside HTTP's token set are kept as they are (as Go does).
 *
 * @example
 * canonicalHeaderKey('x-api-key'); // 'X-Api-Key'
 */
export function canonicalHeaderKey(name: string): string {
  // Go leaves a name with a character outside the token set untouched.
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  let out = '';
  let upper = true;
  for (const c of name) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

/** The key of `map` that names the same header as `name` (exact match first), if any. */
export function findHeaderKey(map: Readonly<Record<string, string>>, name: string): string | undefined {
  if (Object.hasOwn(map, name)) return name;
  const canonical = canonicalHeaderKey(name);
  if (Object.hasOwn(map, canonical)) return canonical;
  const lower = name.toLowerCase();
  for (const key of Object.keys(map)) if (key.toLowerCase() === lower) return key;
  return undefined;
}

/** Removes every key of `map` that names the header `name`. */
export function deleteHeaderKeys(map: Record<string, string>, name: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(map)) if (key.toLowerCase() === lower) delete map[key];
}

/** Throws a TypeError unless `value` is a string; `what` names the argument. */
export function requireString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${value === null ? 'null' : typeof value}`);
}

/** Throws a TypeError unless `name` is a non-empty string. */
export function requireName(name: unknown, what: string): asserts name is string {
  requireString(name, what);
  if (name === '') throw new TypeError(`${what} must not be empty`);
}
