/**
 * `hookgate/sdk`: the TypeScript plugin SDK. The authoring API (define hooks, serve them over gRPC)
 * is not built yet; this entry point exists so the package layout is final. See docs/sdk.md.
 */
export const SDK_STATUS = 'not yet available' as const;
