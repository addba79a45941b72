import { fileURLToPath, pathToFileURL } from 'node:url';
import { SdkError } from './errors.js';
import type {
  AuthCheckHandler,
  EventHandler,
  HookDefinition,
  HookKind,
  RequestHookHandler,
  ResponseHookHandler,
} from './hook-types.js';
import { ConfigCache, type ConfigParser, type JsonObject } from './spec.js';

export interface PluginOptions<C> {
  /** Used in logs (`plugin`); defaults to the module's file name, else `plugin`. */
  readonly name?: string;
  /**
   * The module that defines the plugin, `import.meta.url`. Needed for `threads`: each worker
   * thread imports this module to get the plugin's handlers (functions cannot be sent to a thread).
   */
  readonly module?: string | URL;
  /** Checks and types the API's `config_data`; `spec.config` is its result. */
  readonly config?: ConfigParser<C>;
}

/** Brand checked across module instances (a worker thread imports the SDK again). */
export const PLUGIN_BRAND = Symbol.for('hookgate.sdk.plugin');

type Named<H> = H & { readonly name: string };

/**
 * A set of hooks and event handlers, defined by name. The names are what API definitions use
 * (`custom_middleware.pre[].name`, `auth_check.name`, `event_handlers...handler_meta.name`).
 * Define it in a module of its own and `serve` it from another (see `module`).
 */
export class Plugin<C = JsonObject> {
  readonly [PLUGIN_BRAND] = true;
  readonly name: string;
  /** The defining module as a file URL, when given. */
  readonly module: string | undefined;
  /** Parsed `config_data` per API, shared by the plugin's calls. */
  readonly configs: ConfigCache<C>;
  private readonly hookMap = new Map<string, HookDefinition<C>>();
  private readonly eventMap = new Map<string, EventHandler>();

  constructor(options: PluginOptions<C> = {}) {
    this.module = options.module === undefined ? undefined : moduleUrl(options.module);
    this.name = options.name ?? (this.module === undefined ? 'plugin' : fileURLToPath(this.module).replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]s$/, ''));
    this.configs = new ConfigCache(options.config);
  }

  /**
   * Defines a `pre` hook: runs before authentication, on every API (keyless too).
   *
   * @example
   * plugin.pre('AddHelloHeader', (request) => { request.setHeader('X-Hello', 'world'); });
   */
  pre(name: string, handler: RequestHookHandler<C>): this;
  pre(handler: Named<RequestHookHandler<C>>): this;
  pre(a: string | Named<RequestHookHandler<C>>, b?: RequestHookHandler<C>): this {
    return this.add('pre', a, b);
  }

  /**
   * Defines the `auth_check` hook (Tyk's CustomKeyCheck): the API's authentication. Grant with
   * `allow(token, session)` (or set `metadata.token`), refuse with `deny(...)`.
   *
   * @example
   * plugin.authCheck('MyAuthMiddleware', (request, session, metadata) => {
   *   if (request.getHeader('Authorization') === KEY) {
   *     session.rate = 1000;
   *     session.per = 1;
   *     metadata.token = KEY;
   *   }
   *   return { request, session, metadata };
   * });
   */
  authCheck(name: string, handler: AuthCheckHandler<C>): this;
  authCheck(handler: Named<AuthCheckHandler<C>>): this;
  authCheck(a: string | Named<AuthCheckHandler<C>>, b?: AuthCheckHandler<C>): this {
    return this.add('auth_check', a, b);
  }

  /**
   * Defines a `post_key_auth` hook: runs right after authentication, with the session.
   *
   * @example
   * plugin.postKeyAuth('TagPlan', (request, session) => { request.setHeader('X-Plan', session.metadata.plan ?? 'free'); });
   */
  postKeyAuth(name: string, handler: RequestHookHandler<C>): this;
  postKeyAuth(handler: Named<RequestHookHandler<C>>): this;
  postKeyAuth(a: string | Named<RequestHookHandler<C>>, b?: RequestHookHandler<C>): this {
    return this.add('post_key_auth', a, b);
  }

  /**
   * Defines a `post` hook: runs after auth, rate limits and quotas, just before the upstream.
   *
   * @example
   * plugin.post('StripKey', (request) => { request.deleteHeader('Authorization'); });
   */
  post(name: string, handler: RequestHookHandler<C>): this;
  post(handler: Named<RequestHookHandler<C>>): this;
  post(a: string | Named<RequestHookHandler<C>>, b?: RequestHookHandler<C>): this {
    return this.add('post', a, b);
  }

  /**
   * Defines a `response` hook: changes the upstream's response (status, headers, body).
   *
   * @example
   * plugin.response('NoStore', (request, response) => { response.setHeader('Cache-Control', 'no-store'); });
   */
  response(name: string, handler: ResponseHookHandler<C>): this;
  response(handler: Named<ResponseHookHandler<C>>): this;
  response(a: string | Named<ResponseHookHandler<C>>, b?: ResponseHookHandler<C>): this {
    return this.add('response', a, b);
  }

  /**
   * Defines an event handler, called through DispatchEvent when an API's `event_handlers` name it.
   *
   * @example
   * plugin.event('OnAuthFailure', (event) => { console.log(event.type, event.meta['Path']); });
   */
  event(name: string, handler: EventHandler): this {
    const key = checkName(name, handler, 'event');
    if (this.eventMap.has(key)) throw new SdkError('HG_ERR_SDK_DEFINITION_INVALID', `event handler ${JSON.stringify(key)} is already defined`);
    this.eventMap.set(key, handler);
    return this;
  }

  /**
   * The hook of that name, if defined.
   *
   * @example
   * plugin.hook('MyAuthMiddleware')?.kind; // 'auth_check'
   */
  hook(name: string): HookDefinition<C> | undefined {
    return this.hookMap.get(name);
  }

  /**
   * The event handler of that name, if defined.
   *
   * @example
   * if (plugin.eventHandler('OnAuthFailure') === undefined) throw new Error('missing handler');
   */
  eventHandler(name: string): EventHandler | undefined {
    return this.eventMap.get(name);
  }

  /** Every hook: name and kind, in definition order. */
  get hooks(): ReadonlyArray<{ readonly name: string; readonly kind: HookKind }> {
    return [...this.hookMap.values()].map(({ name, kind }) => ({ name, kind }));
  }

  get events(): readonly string[] {
    return [...this.eventMap.keys()];
  }

  /**
   * The hooks as error messages list them.
   *
   * @example
   * plugin.describeHooks(); // 'MyAuth (auth_check), AddHeader (pre)'
   */
  describeHooks(): string {
    const hooks = this.hooks.map((h) => `${h.name} (${h.kind})`);
    return hooks.length === 0 ? 'none' : hooks.join(', ');
  }

  private add(kind: HookKind, a: unknown, b: unknown): this {
    const handler = typeof a === 'function' ? a : b;
    const name = checkName(typeof a === 'function' ? (a as { name: string }).name : a, handler, kind);
    const existing = this.hookMap.get(name);
    if (existing !== undefined) throw new SdkError('HG_ERR_SDK_DEFINITION_INVALID', `hook ${JSON.stringify(name)} is already defined (as ${existing.kind}); hook names must be unique in a plugin`);
    this.hookMap.set(name, { name, kind, handler } as HookDefinition<C>);
    return this;
  }
}

function checkName(name: unknown, handler: unknown, kind: string): string {
  if (typeof handler !== 'function') throw new SdkError('HG_ERR_SDK_DEFINITION_INVALID', `${kind} ${JSON.stringify(name)}: the handler must be a function, got ${typeof handler}`);
  if (typeof name !== 'string' || name === '') {
    throw new SdkError('HG_ERR_SDK_DEFINITION_INVALID', `${kind}: a hook needs a name (the one API definitions use); pass it first, or pass a named function`);
  }
  return name;
}

function moduleUrl(module: string | URL): string {
  const text = module instanceof URL ? module.href : module;
  return text.startsWith('file:') ? text : pathToFileURL(text).href;
}

/**
 * Starts a plugin definition. Add hooks with `.pre`, `.authCheck`, `.postKeyAuth`, `.post`,
 * `.response` and `.event`, then `serve(plugin)`.
 *
 * @example
 * export const plugin = definePlugin({ module: import.meta.url })
 *   .authCheck('MyAuthMiddleware', (request) =>
 *     request.getHeader('Authorization') === KEY ? allow(KEY, { rate: 1000, per: 1 }) : deny(403, 'Access denied'));
 *
 * @example
 * // A typed config_data, checked once per API:
 * const plugin = definePlugin({ config: (data) => data as { allowedKeys: string[] } });
 * plugin.authCheck('Check', (request, _session, _metadata, spec) => {
 *   const key = request.getHeader('X-Key') ?? '';
 *   return spec.config.allowedKeys.includes(key) ? allow(key) : deny(403, 'Unknown key');
 * });
 */
export function definePlugin<C = JsonObject>(options: PluginOptions<C> = {}): Plugin<C> {
  return new Plugin(options);
}

/**
 * True for a Plugin, also one made by another copy of the SDK module (as in a worker thread).
 *
 * @example
 * const mod = await import('./plugin.js');
 * const plugin = Object.values(mod).find(isPlugin);
 */
export function isPlugin(value: unknown): value is Plugin<unknown> {
  return value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
