/**
 * `hookgate/sdk/testing`: the plugin test kit. Not built yet; this entry point exists so the
 * package layout is final. See docs/sdk.md.
 */
export const TESTING_KIT_STATUS = 'not yet available' as const;
