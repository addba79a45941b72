/**
 * The Python bridge: runs Tyk-style Python plugin bundles in a pool of Python worker processes
 * behind a coprocess gRPC server (server.ts), and what the gateway needs to launch one per bundle
 * as a sidecar (bridges.ts). docs/python.md.
 */
export { PLUGIN_DATA_PREFIX, StorePluginData, type PluginData } from './data.js';
export { BridgeError, describeLoadProblem, type BridgeFailure, type LoadProblem } from './errors.js';
export { LINK_ENV, LinkClient } from './link-client.js';
export { PYTHON_RUNTIME_DIR } from './paths.js';
export { startBridge, type BridgeOptions, type RunningBridge } from './server.js';
export { PythonBridges, type PythonBridgeSettings, type PythonBundle } from './bridges.js';
export { processRunDir, RunDir } from './run-dir.js';
