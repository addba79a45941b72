// Original file: proto/coprocess_response_object.proto

import type { Header as _coprocess_Header, Header__Output as _coprocess_Header__Output } from '../coprocess/Header.js';

export interface ResponseObject {
  'status_code'?: (number);
  'raw_body'?: (Buffer | Uint8Array | string);
  /**
   * The body as text; empty when it is not valid UTF-8.
   */
  'body'?: (string);
  /**
   * First value of each header.
   */
  'headers'?: ({[key: string]: string});
  /**
   * Every value of every header.
   */
  'multivalue_headers'?: (_coprocess_Header)[];
}

export interface ResponseObject__Output {
  'status_code': (number);
  'raw_body': (Buffer);
  /**
   * The body as text; empty when it is not valid UTF-8.
   */
  'body': (string);
  /**
   * First value of each header.
   */
  'headers': ({[key: string]: string});
  /**
   * Every value of every header.
   */
  'multivalue_headers': (_coprocess_Header__Output)[];
}
