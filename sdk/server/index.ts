/**
 * The plugin server's face for other parts of Hookgate (the Python bridge serves over the same
 * addresses and shuts down the same way). Plugin authors use `serve` from `hookgate/sdk`.
 */
export { boundAddress, parseAddress, removeStaleSocket, type ListenAddress } from './address.js';
export { serve, type PluginServer, type ServeOptions } from './serve.js';
export { shutdownServer } from './shutdown.js';
