// Original file: proto/coprocess_session_state.proto


export interface BasicAuthData {
  'password'?: (string);
  'hash'?: (string);
}

export interface BasicAuthData__Output {
  'password': (string);
  'hash': (string);
}
