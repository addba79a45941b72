/**
 * Everything that crosses to plugins (protocol types, the gRPC dispatcher, the Python bridge) will
 * live here. Nothing is built yet: API definitions that use plugin hooks are refused at load.
 */
export {};
