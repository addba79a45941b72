// Original file: proto/coprocess_mini_request_object.proto

import type { ReturnOverrides as _coprocess_ReturnOverrides, ReturnOverrides__Output as _coprocess_ReturnOverrides__Output } from '../coprocess/ReturnOverrides.js';

export interface MiniRequestObject {
  /**
   * Read-only: first value of each request header, canonical names, plus Host.
   */
  'headers'?: ({[key: string]: string});
  'set_headers'?: ({[key: string]: string});
  'delete_headers'?: (string)[];
  /**
   * The body as text (valid UTF-8 only); ignored on the way back: set raw_body.
   */
  'body'?: (string);
  'url'?: (string);
  /**
   * Read-only: first value of each query parameter.
   */
  'params'?: ({[key: string]: string});
  'add_params'?: ({[key: string]: string});
  'extended_params'?: ({[key: string]: string});
  'delete_params'?: (string)[];
  'return_overrides'?: (_coprocess_ReturnOverrides | null);
  'method'?: (string);
  'request_uri'?: (string);
  'scheme'?: (string);
  'raw_body'?: (Buffer | Uint8Array | string);
}

export interface MiniRequestObject__Output {
  /**
   * Read-only: first value of each request header, canonical names, plus Host.
   */
  'headers': ({[key: string]: string});
  'set_headers': ({[key: string]: string});
  'delete_headers': (string)[];
  /**
   * The body as text (valid UTF-8 only); ignored on the way back: set raw_body.
   */
  'body': (string);
  'url': (string);
  /**
   * Read-only: first value of each query parameter.
   */
  'params': ({[key: string]: string});
  'add_params': ({[key: string]: string});
  'extended_params': ({[key: string]: string});
  'delete_params': (string)[];
  'return_overrides': (_coprocess_ReturnOverrides__Output | null);
  'method': (string);
  'request_uri': (string);
  'scheme': (string);
  'raw_body': (Buffer);
}
