// Original file: proto/coprocess_object.proto

import type { HookType as _coprocess_HookType, HookType__Output as _coprocess_HookType__Output } from '../coprocess/HookType.js';
import type { MiniRequestObject as _coprocess_MiniRequestObject, MiniRequestObject__Output as _coprocess_MiniRequestObject__Output } from '../coprocess/MiniRequestObject.js';
import type { SessionState as _coprocess_SessionState, SessionState__Output as _coprocess_SessionState__Output } from '../coprocess/SessionState.js';
import type { ResponseObject as _coprocess_ResponseObject, ResponseObject__Output as _coprocess_ResponseObject__Output } from '../coprocess/ResponseObject.js';

export interface Object {
  'hook_type'?: (_coprocess_HookType);
  'hook_name'?: (string);
  'request'?: (_coprocess_MiniRequestObject | null);
  'session'?: (_coprocess_SessionState | null);
  'metadata'?: ({[key: string]: string});
  'spec'?: ({[key: string]: string});
  'response'?: (_coprocess_ResponseObject | null);
}

export interface Object__Output {
  'hook_type': (_coprocess_HookType__Output);
  'hook_name': (string);
  'request': (_coprocess_MiniRequestObject__Output | null);
  'session': (_coprocess_SessionState__Output | null);
  'metadata': ({[key: string]: string});
  'spec': ({[key: string]: string});
  'response': (_coprocess_ResponseObject__Output | null);
}
