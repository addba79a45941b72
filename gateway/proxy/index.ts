export { type BufferedOutcome } from './buffered.js';
export { UpstreamProxy, type Exchange, type ProxyOutcome, type ProxySettings } from './forward.js';
export { clientAddressOf, downstreamResponseHeaders, upstreamRequestHead, writeHeadFlat, type ForwardingFacts, type UpstreamRequestHead } from './headers.js';
export { upstreamPathOf, upstreamQueryOf } from './upstream-url.js';
