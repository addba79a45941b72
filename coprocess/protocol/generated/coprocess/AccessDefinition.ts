// Original file: proto/coprocess_session_state.proto

import type { AccessSpec as _coprocess_AccessSpec, AccessSpec__Output as _coprocess_AccessSpec__Output } from '../coprocess/AccessSpec.js';

export interface AccessDefinition {
  'api_name'?: (string);
  'api_id'?: (string);
  'versions'?: (string)[];
  'allowed_urls'?: (_coprocess_AccessSpec)[];
}

export interface AccessDefinition__Output {
  'api_name': (string);
  'api_id': (string);
  'versions': (string)[];
  'allowed_urls': (_coprocess_AccessSpec__Output)[];
}
