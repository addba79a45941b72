// The leaf module, not gateway/validation/index.js: that face also loads zod, ~120 ms of CPU in
// every plugin process and hook worker thread for a few small functions.
import { deepFreeze } from '../gateway/validation/freeze.js';
import { SdkError } from './errors.js';

/** A JSON object, the type of `spec.config` when the plugin gives no `config` parser. */
export type JsonObject = { [key: string]: unknown };

/**
 * Turns the API's `config_data` (parsed JSON; `{}` when the API has none) into the plugin's config
 * type, throwing when it is not acceptable; e.g. a zod schema's `parse`.
 */
export type ConfigParser<C> = (data: unknown) => C;

/** Parsed configs are few (one per API), so a small map keyed by the raw JSON text is enough. */
const MAX_CACHED_CONFIGS = 128;

/**
 * Parses `config_data` once per distinct text, not once per call: an API's config_data arrives
 * with every call. Results are frozen, because they are shared by every call of that API.
 */
export class ConfigCache<C> {
  private readonly entries = new Map<string, { ok: true; value: C } | { ok: false; error: SdkError }>();

  constructor(private readonly parser: ConfigParser<C> | undefined) {}

  get(raw: string | undefined, apiId: string): C {
    const key = raw ?? '';
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = this.parse(key, apiId);
      if (this.entries.size >= MAX_CACHED_CONFIGS) this.entries.clear();
      this.entries.set(key, entry);
    }
    if (!entry.ok) throw entry.error;
    return entry.value;
  }

  private parse(raw: string, apiId: string): { ok: true; value: C } | { ok: false; error: SdkError } {
    let data: unknown = {};
    if (raw !== '') {
      try {
        data = JSON.parse(raw);
      } catch (err) {
        return { ok: false, error: new SdkError('HG_ERR_SDK_CONFIG_INVALID', `config_data of API ${JSON.stringify(apiId)} is not JSON: ${(err as Error).message}`, { cause: err }) };
      }
    }
    if (this.parser === undefined) return { ok: true, value: deepFreeze(data as C) };
    try {
      return { ok: true, value: deepFreeze(this.parser(data)) };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { ok: false, error: new SdkError('HG_ERR_SDK_CONFIG_INVALID', `config_data of API ${JSON.stringify(apiId)} was refused by the plugin's config parser: ${reason}`, { cause: err }) };
    }
  }
}

/**
 * The API a hook runs for: the protocol's `spec` map (`APIID`, `OrgID`, `bundle_hash`,
 * `config_data`) with the config parsed to the plugin's type.
 */
export class Spec<C = JsonObject> {
  /** The map as the gateway sent it (Tyk Python's `spec`), e.g. `spec.raw['config_data']`. */
  readonly raw: Readonly<Record<string, string>>;
  private readonly cache: ConfigCache<C>;

  constructor(raw: Readonly<Record<string, string>>, cache: ConfigCache<C>) {
    this.raw = raw;
    this.cache = cache;
  }

  get apiId(): string {
    return this.raw['APIID'] ?? '';
  }

  get orgId(): string {
    return this.raw['OrgID'] ?? '';
  }

  /** MD5 of the API's bundle name (md5("") when it has none); Tyk scopes Python hooks by it. */
  get bundleHash(): string {
    return this.raw['bundle_hash'] ?? '';
  }

  /** The API's `config_data` as JSON text, if the gateway sent one. */
  get configData(): string | undefined {
    return this.raw['config_data'];
  }

  /**
   * The API's `config_data`, parsed (and checked by the plugin's `config` parser); frozen. Throws
   * HG_ERR_SDK_CONFIG_INVALID when it cannot be parsed or is refused, which fails the call.
   */
  get config(): C {
    return this.cache.get(this.raw['config_data'], this.apiId);
  }
}
