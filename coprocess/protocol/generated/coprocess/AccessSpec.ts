// Original file: proto/coprocess_session_state.proto


export interface AccessSpec {
  'url'?: (string);
  'methods'?: (string)[];
}

export interface AccessSpec__Output {
  'url': (string);
  'methods': (string)[];
}
