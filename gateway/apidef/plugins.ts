import { createHash } from 'node:crypto';
import type { CompiledIdExtractor, PythonBundle } from '../../coprocess/index.js';
import type { ApiDefinition, MiddlewareDefinition } from './schema.js';

/** The hook points of Tyk's coprocess, in chain order. */
export type HookPoint = 'pre' | 'auth_check' | 'post_key_auth' | 'post' | 'response';

/** One hook, resolved at load: everything a request needs to call it. */
export interface HookSpec {
  readonly point: HookPoint;
  /** The function name sent as `hook_name`. */
  readonly name: string;
  readonly rawBodyOnly: boolean;
  readonly deadlineMs: number;
  /** Only ever true for non-auth hooks. */
  readonly failOpen: boolean;
}

/** How an API talks to its plugins, resolved at load time. */
export interface PluginPlan {
  readonly driver: 'grpc' | 'python';
  /** grpc-js target of the plugin server (for "python", the bridge the gateway launches). */
  readonly server: string;
  /** The bundle a Python bridge runs for this API (driver "python"). */
  readonly python: PythonBundle | undefined;
  readonly pre: readonly HookSpec[];
  readonly authCheck: HookSpec | undefined;
  readonly postKeyAuth: readonly HookSpec[];
  readonly post: readonly HookSpec[];
  readonly response: readonly HookSpec[];
  /** Tyk's ID extractor in front of the auth hook (protocol.md 5), when configured. */
  readonly idExtractor: CompiledIdExtractor | undefined;
  /** Events subscribed with `cp_dynamic_handler`: event name → handler function names. */
  readonly eventHandlers: ReadonlyMap<string, readonly string[]>;
  /** The `spec` map sent with every hook (constant per API). */
  readonly spec: Readonly<Record<string, string>>;
  /** The verified folder of the API's plugin bundle, when its hooks came from one (gateway/bundles). */
  readonly bundleDir?: string;
}

/** Go's json.Marshal of a decoded JSON value: keys sorted, compact, `<`, `>`, `&` escaped. */
export function goJsonMarshal(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) out[key] = sortKeys((v as Record<string, unknown>)[key]);
      return out;
    }
    return v;
  };
  return JSON.stringify(sortKeys(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The `spec` map of protocol.md 2.3: OrgID, APIID, bundle_hash and (unless disabled or empty) config_data. */
export function specMapOf(def: ApiDefinition): Record<string, string> {
  const spec: Record<string, string> = {
    OrgID: def.org_id,
    APIID: def.api_id,
    bundle_hash: createHash('md5').update(def.custom_middleware_bundle).digest('hex'),
  };
  if (!def.config_data_disabled && Object.keys(def.config_data).length > 0) spec['config_data'] = goJsonMarshal(def.config_data);
  return spec;
}

export interface PluginContext {
  /** The default plugin server (resolved coprocess_grpc_server), "" when none. */
  readonly defaultServer: string;
  readonly dispatchTimeoutMs: number;
  /** Resolves `sidecar:<name>`; undefined for an unknown name. */
  readonly resolveServer: (value: string) => string | undefined;
}

/** Whether a hook entry is switched on (named and not disabled). */
export const hookIsOn = (hook: MiddlewareDefinition | undefined): hook is MiddlewareDefinition =>
  hook !== undefined && !hook.disabled && hook.name !== '';

/** The API's hooks, in Tyk's order, with Hookgate's per-hook settings applied. */
export function pluginPlanOf(def: ApiDefinition, server: string, context: PluginContext, customAuth: boolean, idExtractor?: CompiledIdExtractor, python?: PythonBundle): PluginPlan {
  const settings = def.hookgate;
  const spec = (point: HookPoint, hook: MiddlewareDefinition): HookSpec => {
    const own = settings.hooks[hook.name];
    return {
      point,
      name: hook.name,
      rawBodyOnly: hook.raw_body_only,
      deadlineMs: own?.dispatch_timeout_ms ?? settings.dispatch_timeout_ms ?? context.dispatchTimeoutMs,
      failOpen: point !== 'auth_check' && own?.fail_open === true,
    };
  };
  const cm = def.custom_middleware;
  const list = (point: Exclude<HookPoint, 'auth_check'>) => cm[point].filter(hookIsOn).map((h) => spec(point, h));
  const eventHandlers = new Map<string, string[]>();
  for (const [event, handlers] of Object.entries(def.event_handlers.events)) {
    const names = handlers
      .filter((h) => h.handler_name === 'cp_dynamic_handler')
      .map((h) => h.handler_meta['name'])
      .filter((n): n is string => typeof n === 'string' && n !== '');
    if (names.length > 0) eventHandlers.set(event, names);
  }
  return {
    driver: python === undefined ? 'grpc' : 'python',
    server,
    python,
    pre: list('pre'),
    authCheck: customAuth && hookIsOn(cm.auth_check) ? spec('auth_check', cm.auth_check) : undefined,
    postKeyAuth: def.use_keyless ? [] : list('post_key_auth'),
    post: list('post'),
    response: list('response'),
    idExtractor: customAuth ? idExtractor : undefined,
    eventHandlers,
    // Frozen: the plugin client encodes a frozen spec once and reuses its bytes (fast-codec.ts).
    spec: Object.freeze(specMapOf(def)),
  };
}
