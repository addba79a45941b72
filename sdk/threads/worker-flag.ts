/**
 * Set on globalThis in hook worker threads, so that `serve()` in a module a worker imports (a
 * one-file plugin) does not start a second server there. Kept apart from the worker messages so
 * that checking it loads nothing.
 */
export const IN_HOOK_WORKER = Symbol.for('hookgate.sdk.hook-worker');

export function inHookWorker(): boolean {
  return (globalThis as Record<symbol, unknown>)[IN_HOOK_WORKER] === true;
}
