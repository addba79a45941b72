import type { ReturnOverrides__Output } from '../protocol/index.js';

/** What a hook's `return_overrides` asks for (protocol.md 2.6). */
export type OverrideDecision =
  | { readonly kind: 'none' }
  /** Answer in Tyk's error template with this status and message; fire AuthFailure. */
  | { readonly kind: 'error'; readonly status: number; readonly message: string; readonly headers: Readonly<Record<string, string>> }
  /** Answer with this status and body verbatim; the upstream is not called. */
  | { readonly kind: 'respond'; readonly status: number; readonly body: string; readonly headers: Readonly<Record<string, string>> };

const NONE: OverrideDecision = { kind: 'none' };

/**
 * Tyk's rules: `response_error` wins over `response_body`; a code of 400 or more without
 * `override_error` is an error in the template (message defaulting to "Key not authorised");
 * any other positive code is a direct response; -1 and 0 change nothing. Codes outside HTTP's
 * range, which Go would panic on, are treated as an error reply from the plugin.
 */
export function decideOverrides(overrides: ReturnOverrides__Output | null): OverrideDecision | { readonly kind: 'invalid'; readonly reason: string } {
  if (overrides === null) return NONE;
  const code = overrides.response_code;
  if (code <= 0) return NONE;
  if (code < 100 || code > 999) return { kind: 'invalid', reason: `the plugin returned response_code ${code}, which is not an HTTP status` };
  const body = overrides.response_error !== '' ? overrides.response_error : overrides.response_body;
  if (code >= 400 && !overrides.override_error) {
    return { kind: 'error', status: code, message: body === '' ? 'Key not authorised' : body, headers: overrides.headers };
  }
  return { kind: 'respond', status: code, body, headers: overrides.headers };
}
