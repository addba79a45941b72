/**
 * `hookgate/sdk`: write gateway plugins in TypeScript. Define hooks by name with `definePlugin`,
 * return an outcome (`allow`, `deny`, `respond`) or edit the request, and `serve` the plugin over
 * Tyk's coprocess gRPC protocol to Hookgate or to a Tyk gateway. Test it with `hookgate/sdk/testing`.
 * See docs/sdk.md.
 */
export { SDK_ERRORS, SdkError, isSdkError, type SdkErrorCode, type SdkErrorDefinition } from './errors.js';
export { canonicalHeaderKey } from './headers.js';
export {
  HOOK_KINDS,
  HOOK_TYPE_OF_KIND,
  type AuthCheckHandler,
  type AuthCheckResult,
  type EventContext,
  type EventHandler,
  type HookContext,
  type HookDefinition,
  type HookKind,
  type HookReturn,
  type PluginEvent,
  type RequestHookHandler,
  type RequestHookResult,
  type ResponseHookHandler,
  type ResponseHookResult,
} from './hook-types.js';
export { createPluginLogger } from './logger.js';
export { allow, deny, isOutcome, respond, type Allow, type Deny, type JsonBody, type Outcome, type Respond } from './outcomes.js';
export { definePlugin, isPlugin, Plugin, type PluginOptions } from './plugin.js';
export { HookRequest } from './request.js';
export { HookResponse } from './response.js';
export { serve, type PluginServer, type ServeOptions } from './server/serve.js';
export { Session, type Metadata, type SessionFields, type SessionInit } from './session.js';
export { Spec, type ConfigParser, type JsonObject } from './spec.js';
