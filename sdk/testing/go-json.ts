import { goJsonString } from '../../gateway/errors/index.js';

/**
 * Go's `json.Marshal` of a decoded JSON value, which is how Tyk writes `spec["config_data"]`:
 * compact, object keys sorted (Go maps), `<`, `>` and `&` escaped. A plugin that compares or
 * hashes config_data text sees in tests what it will see from the gateway.
 *
 * @example
 * goJsonMarshal({ b: 1, a: '<x>' }); // '{"a":"\u003cx\u003e","b":1}'
 */
export function goJsonMarshal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return goJsonString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`config_data: ${value} cannot be written as JSON`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(goJsonMarshal).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${goJsonString(k)}:${goJsonMarshal(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`config_data: a ${typeof value} cannot be written as JSON`);
  }
}
