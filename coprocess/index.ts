/**
 * Everything that crosses to plugins: Tyk's coprocess protocol (types, codec), the dispatcher
 * (gRPC clients per plugin server), the mapping between HTTP and the protocol's messages, event
 * payloads, sidecar supervision, and the Python bridge.
 */
export * from './bridge/index.js';
export * from './dispatch/index.js';
export * from './events/index.js';
export { compileIdExtractor, compileOasIdExtractor, extract as extractId, sessionIdFor, EXTRACTION_FAILED_MESSAGE, type CompiledIdExtractor, type ExtractionInput, type IdExtractorCompilation } from './id-extractor/index.js';
// Go regexp syntax for other readers of Tyk's expressions (basic auth's body regexps).
export { findSubmatch, MAX_REGEX_INPUT_BYTES, translateRe2, type SubmatchResult } from './id-extractor/index.js';
export * from './mapping/index.js';
export * from './protocol/index.js';
export * from './sidecars/index.js';
