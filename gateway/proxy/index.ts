export { type BufferedOutcome } from './buffered.js';
export { logRefusal, UpstreamProxy, type Exchange, type ProxyOutcome, type ProxySettings, type Refusal } from './forward.js';
export { clientAddressOf, downstreamResponseHeaders, upstreamRequestHead, writeHeadFlat, type ForwardingFacts, type UpstreamRequestHead } from './headers.js';
export { upstreamPathOf, upstreamQueryOf } from './upstream-url.js';
export { BodyTooLargeError, declaredLength, limitedBody } from './body-limit.js';
