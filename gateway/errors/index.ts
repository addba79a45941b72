export { ERRORS, HookgateError, isHookgateError, type ErrorCode, type ErrorDefinition } from './catalogue.js';
export { createErrorResponder, GENERATOR_HEADER_VALUE, rawErrorResponse, type ErrorResponder, type ErrorResponseSettings } from './respond.js';
export { goJsonString, goHtmlEscape, jsonErrorBody, xmlErrorBody, xmlContentTypeOf } from './tyk-body.js';
