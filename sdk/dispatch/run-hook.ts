/**
 * Runs one hook on a decoded Object and returns the reply Object: the same object, changed, as
 * every Tyk plugin does (the gateway reads `request` and `return_overrides` without nil checks, so
 * they are always present in a reply). One function for every path: in process (test kit), on
 * the server's thread, and in a worker thread.
 */
import type { Logger } from 'pino';
import type { CoprocessObject__Output, MiniRequestObject__Output, ReturnOverrides__Output } from '../../coprocess/protocol/index.js';
// The leaf module, not gateway/validation/index.js: that face also loads zod, ~120 ms of CPU in
// every plugin process and hook worker thread for a few small functions.
import { describeValue } from '../../gateway/validation/paths.js';
import { SdkError } from '../errors.js';
import { kindOfHookType, type HookContext, type HookDefinition, type HookKind } from '../hook-types.js';
import { isOutcome, type Outcome } from '../outcomes.js';
import type { Plugin } from '../plugin.js';
import { HookRequest } from '../request.js';
import { HookResponse } from '../response.js';
import { Session, type Metadata, type SessionInit } from '../session.js';
import { Spec } from '../spec.js';
import { replyProblems } from './check-reply.js';
import type { CallSignal } from './deadline.js';

export interface RunOptions {
  /** The call's deadline and cancellation; at either the hook is abandoned and its signal aborted. */
  readonly call: CallSignal;
  readonly deadline: number | undefined;
  readonly log: Logger;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';

/** `return_overrides` as the gateway sends it: -1 means "no override". */
export function noOverrides(): ReturnOverrides__Output {
  return { response_code: -1, response_error: '', headers: {}, override_error: false, response_body: '' };
}

function emptyRequest(): MiniRequestObject__Output {
  return {
    headers: {}, set_headers: {}, delete_headers: [], body: '', url: '', params: {}, add_params: {}, extended_params: {},
    delete_params: [], return_overrides: noOverrides(), method: '', request_uri: '', scheme: '', raw_body: Buffer.alloc(0),
  };
}

/** The hook an Object names, checked against the hook type the gateway called it as. */
export function resolveHook<C>(plugin: Plugin<C>, object: CoprocessObject__Output): HookDefinition<C> {
  const name = object.hook_name;
  const hook = plugin.hook(name);
  if (hook === undefined) {
    throw new SdkError('HG_ERR_SDK_HOOK_UNKNOWN', `hook ${JSON.stringify(name)} is not defined by plugin ${JSON.stringify(plugin.name)}; it defines: ${plugin.describeHooks()}`, { hook: name });
  }
  const calledAs = kindOfHookType(object.hook_type);
  // `Unknown` (0) is what a hand-written client sends when it leaves hook_type out: run as defined.
  if (calledAs !== undefined && calledAs !== hook.kind) {
    throw new SdkError(
      'HG_ERR_SDK_HOOK_TYPE_MISMATCH',
      `hook ${JSON.stringify(name)} is defined as ${hook.kind} but was called as ${calledAs} (hook_type ${object.hook_type}); list it under custom_middleware.${hook.kind} in the API definition`,
      { hook: name },
    );
  }
  return hook;
}

export async function runHook<C>(plugin: Plugin<C>, object: CoprocessObject__Output, options: RunOptions): Promise<CoprocessObject__Output> {
  const hook = resolveHook(plugin, object);
  const name = hook.name;
  const requestObject = object.request ?? emptyRequest();
  requestObject.return_overrides ??= noOverrides();
  const request = new HookRequest(requestObject);
  const session = new Session(object.session);
  // The gateway sends Object.metadata as a copy of the session's metadata (Post, PostKeyAuth, Response).
  const sent = object.metadata;
  for (const key in sent) if (Object.hasOwn(sent, key) && !Object.hasOwn(session.metadata, key)) session.metadata[key] = sent[key];
  const spec = new Spec(object.spec, plugin.configs);
  let log: Logger | undefined;
  const call = options.call;
  const context: HookContext = {
    hookName: name,
    kind: hook.kind,
    // made on first use: most hooks never look at it
    get signal() {
      return call.signal;
    },
    deadline: options.deadline,
    get log() {
      return (log ??= options.log.child({ hook: name }));
    },
  };

  let response: HookResponse | undefined;
  let result: unknown;
  const failed = (err: unknown): never => {
    if (err instanceof SdkError) throw err;
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new SdkError('HG_ERR_SDK_HOOK_FAILED', `hook ${JSON.stringify(name)} threw: ${detail}`, { cause: err, hook: name });
  };
  try {
    let pending: unknown;
    if (hook.kind === 'response') {
      if (object.response === null) throw new SdkError('HG_ERR_SDK_REQUEST_INVALID', `response hook ${JSON.stringify(name)} was called without Object.response (the upstream response)`, { hook: name });
      response = new HookResponse(object.response);
      pending = hook.handler(request, response, session, session.metadata, spec, context);
    } else {
      pending = hook.handler(request, session, session.metadata, spec, context);
    }
    result = isThenable(pending) ? await call.race(Promise.resolve(pending).then(undefined, failed)) : pending;
  } catch (err) {
    failed(err);
  }
  // A synchronous handler cannot be interrupted; do not spend more on a call nobody waits for.
  if (call.reason !== undefined) throw call.reason;

  const live: Live = { request, session, response };
  applyResult(result, hook.kind, name, live);
  object.request = live.request.object;
  object.session = object.session !== null || !session.isEmpty() ? (session.toProto() as CoprocessObject__Output['session']) : null;
  object.metadata = (object.session?.metadata ?? {}) as Record<string, string>;
  if (live.response !== undefined) object.response = live.response.object;

  if (session.id_extractor_deadline > MILLISECONDS_THRESHOLD) warnMilliseconds(plugin.name, name, options.log);
  const problems = replyProblems(object, hook.kind);
  if (problems.length > 0) throw new SdkError('HG_ERR_SDK_REPLY_INVALID', `hook ${JSON.stringify(name)} produced an invalid reply: ${problems.join('; ')}`, { hook: name });
  return object;
}

/** Unix seconds beyond this are in the year 2286: the value is almost surely milliseconds. */
const MILLISECONDS_THRESHOLD = 10_000_000_000;
const warnedMilliseconds = new Set<string>();

/** Once per hook: Tyk reads id_extractor_deadline in seconds, so milliseconds cache the session for good. */
function warnMilliseconds(plugin: string, hook: string, log: Logger): void {
  const key = `${plugin}\0${hook}`;
  if (warnedMilliseconds.has(key)) return;
  warnedMilliseconds.add(key);
  log.warn({ hook }, 'session.id_extractor_deadline looks like milliseconds; the gateway reads Unix seconds, so the ID extractor would cache this session for good (use session.cacheFor(seconds))');
}

interface Live {
  request: HookRequest;
  session: Session;
  response: HookResponse | undefined;
}

const RETURN_KEYS = new Set(['request', 'session', 'metadata']);

function applyResult(result: unknown, kind: HookKind, name: string, live: Live): void {
  const invalid = (why: string) => new SdkError('HG_ERR_SDK_REPLY_INVALID', `hook ${JSON.stringify(name)} ${why}`, { hook: name });
  if (result === undefined || result === null) return;
  if (kind === 'response') {
    if (result instanceof HookResponse) live.response = result;
    else throw invalid(`returned ${describeValue(result)}; a response hook returns nothing or the response`);
    return;
  }
  if (isOutcome(result)) {
    applyOutcome(result, kind, live, invalid);
    return;
  }
  const expected = `; expected nothing, an outcome (${kind === 'auth_check' ? 'allow, ' : ''}deny, respond) or { request, session, metadata }`;
  if (typeof result !== 'object' || Array.isArray(result)) throw invalid(`returned ${describeValue(result)}${expected}`);
  const extra = Object.keys(result).filter((key) => !RETURN_KEYS.has(key));
  if (extra.length > 0) throw invalid(`returned an object with ${extra.map((k) => JSON.stringify(k)).join(', ')}${expected}`);
  const { request, session, metadata } = result as { request?: unknown; session?: unknown; metadata?: unknown };
  if (request !== undefined && request !== live.request) {
    if (!(request instanceof HookRequest)) throw invalid(`returned request ${describeValue(request)}; return the request it was given`);
    live.request = request;
  }
  try {
    if (session !== undefined && session !== live.session) live.session.assign(session as SessionInit);
    if (metadata !== undefined && metadata !== live.session.metadata) {
      if (metadata === null || typeof metadata !== 'object') throw new TypeError(`metadata must be an object, got ${describeValue(metadata)}`);
      Object.assign(live.session.metadata, metadata as Metadata);
    }
  } catch (err) {
    throw invalid(`returned an invalid session: ${(err as Error).message}`);
  }
}

function applyOutcome(outcome: Outcome, kind: HookKind, live: Live, invalid: (why: string) => SdkError): void {
  const overrides = live.request.object.return_overrides ?? noOverrides();
  live.request.object.return_overrides = overrides;
  switch (outcome.kind) {
    case 'allow':
      if (kind !== 'auth_check') throw invalid(`returned allow(), which only an auth_check hook can (this is a ${kind} hook)`);
      try {
        if (outcome.session !== undefined) live.session.assign(outcome.session);
      } catch (err) {
        throw invalid(`returned allow() with an invalid session: ${(err as Error).message}`);
      }
      live.session.metadata.token = outcome.token;
      return;
    case 'deny':
      overrides.response_code = outcome.status;
      overrides.response_error = outcome.message;
      overrides.override_error = false;
      Object.assign(overrides.headers, outcome.headers);
      return;
    case 'respond':
      overrides.response_code = outcome.status;
      // Both fields: Tyk before 2.9.6 reads only response_error; later ones prefer it when set.
      overrides.response_error = outcome.body;
      overrides.response_body = outcome.body;
      // Without override_error a 4xx/5xx body would be wrapped in the gateway's error template.
      overrides.override_error = outcome.status >= 400;
      Object.assign(overrides.headers, outcome.headers);
      return;
  }
}
