// Original file: proto/coprocess_session_state.proto


export interface JWTData {
  'secret'?: (string);
}

export interface JWTData__Output {
  'secret': (string);
}
