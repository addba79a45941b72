/**
 * The closed set of hook types (design rule 3) and the handler signature of each. Signatures
 * follow Tyk's Python plugins, so a Tyk tutorial translates line for line:
 * `(request, session, metadata, spec)` for request hooks and
 * `(request, response, session, metadata, spec)` for response hooks, plus a context last.
 */
import type { Logger } from 'pino';
import type { HookType__Output } from '../coprocess/protocol/index.js';
import type { Allow, Deny, Respond } from './outcomes.js';
import type { HookRequest } from './request.js';
import type { HookResponse } from './response.js';
import type { Metadata, Session, SessionInit } from './session.js';
import type { Spec } from './spec.js';

/** Hook types by the names of Tyk's manifest and API definitions (`custom_middleware`). */
export type HookKind = 'pre' | 'auth_check' | 'post_key_auth' | 'post' | 'response';

/** The protocol's HookType for each kind (`auth_check` is `CustomKeyCheck`). */
export const HOOK_TYPE_OF_KIND = {
  pre: 'Pre',
  auth_check: 'CustomKeyCheck',
  post_key_auth: 'PostKeyAuth',
  post: 'Post',
  response: 'Response',
} as const satisfies Record<HookKind, HookType__Output>;

export const HOOK_KINDS = Object.keys(HOOK_TYPE_OF_KIND) as HookKind[];

/** The kind of a protocol HookType; undefined for `Unknown`. */
export function kindOfHookType(type: HookType__Output): HookKind | undefined {
  return HOOK_KINDS.find((kind) => HOOK_TYPE_OF_KIND[kind] === type);
}

/** What a handler gets besides the protocol data. */
export interface HookContext {
  /** The hook's name, as in the API definition. */
  readonly hookName: string;
  readonly kind: HookKind;
  /** Aborted when the call's deadline passes or the gateway cancels it: stop work and return. */
  readonly signal: AbortSignal;
  /** The call's deadline (epoch milliseconds), if the gateway set one. */
  readonly deadline: number | undefined;
  /** The plugin's logger, with `hook` bound. */
  readonly log: Logger;
}

type Awaitable<T> = T | PromiseLike<T>;

/**
 * The Python style of returning `request, session, metadata`. The objects passed in are live, so
 * returning them (or nothing) keeps the edits; a returned `session` sets those fields and a
 * returned `metadata` is merged into the session's (as Tyk's Python `MergeFrom`).
 */
export interface HookReturn {
  readonly request?: HookRequest;
  readonly session?: SessionInit;
  readonly metadata?: Metadata;
  /** Never set: keeps an outcome of the wrong kind (e.g. `allow` in a pre hook) a type error. */
  readonly kind?: never;
}

export type AuthCheckResult = void | HookReturn | Allow | Deny | Respond;
export type RequestHookResult = void | HookReturn | Deny | Respond;
/** A response hook edits the response in place; returning it (Python style) is the same. */
export type ResponseHookResult = void | HookResponse;

/** An `auth_check` (CustomKeyCheck) handler: grant a session with a token, or refuse. */
export type AuthCheckHandler<C> = (request: HookRequest, session: Session, metadata: Metadata, spec: Spec<C>, context: HookContext) => Awaitable<AuthCheckResult>;

/** A `pre`, `post_key_auth` or `post` handler: change the request, or stop it. */
export type RequestHookHandler<C> = (request: HookRequest, session: Session, metadata: Metadata, spec: Spec<C>, context: HookContext) => Awaitable<RequestHookResult>;

/** A `response` handler: change the upstream's response before it reaches the client. */
export type ResponseHookHandler<C> = (
  request: HookRequest,
  response: HookResponse,
  session: Session,
  metadata: Metadata,
  spec: Spec<C>,
  context: HookContext,
) => Awaitable<ResponseHookResult>;

export type HookDefinition<C> =
  | { readonly name: string; readonly kind: 'auth_check'; readonly handler: AuthCheckHandler<C> }
  | { readonly name: string; readonly kind: 'pre' | 'post_key_auth' | 'post'; readonly handler: RequestHookHandler<C> }
  | { readonly name: string; readonly kind: 'response'; readonly handler: ResponseHookHandler<C> };

/** A gateway event (DispatchEvent), from Tyk's JSON payload. */
export interface PluginEvent {
  /** The event name, e.g. `AuthFailure`, `QuotaExceeded`, `KeyExpired`. */
  readonly type: string;
  /** The event's details (for key failures: `Message`, `Path`, `Origin`, `Key`, ...). */
  readonly meta: Readonly<Record<string, unknown>>;
  /** When it fired, as the gateway wrote it. */
  readonly timestamp: string;
  /** The handler name the API's `event_handlers` entry chose. */
  readonly handlerName: string;
  readonly spec: { readonly apiId: string; readonly orgId: string };
  /** The JSON payload as received. */
  readonly payload: string;
}

export interface EventContext {
  readonly handlerName: string;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/** Handles a gateway event. The gateway ignores the reply and only logs errors. */
export type EventHandler = (event: PluginEvent, context: EventContext) => Awaitable<void>;
