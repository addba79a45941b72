// Original file: proto/coprocess_session_state.proto


export interface Monitor {
  'trigger_limits'?: (number | string)[];
}

export interface Monitor__Output {
  'trigger_limits': (number)[];
}
