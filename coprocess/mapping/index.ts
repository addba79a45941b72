export { sessionForHooks, sessionFromAuthReply, type AuthReplyResult } from './auth.js';
export { canonicalHeaderKey, encodeQuery, parseQuery, parseRequestUri, queryEscape, queryUnescape } from './go-http.js';
export { decideOverrides, type OverrideDecision } from './overrides.js';
export { buildMiniRequest, computeRequestChanges, firstValues, urlOf, type ChangesResult } from './request.js';
export type { HookRequestView, RequestChanges } from './request-view.js';
export { applyResponseReply, buildResponseObject, type BufferedResponse, type ResponseReplyResult } from './response.js';
