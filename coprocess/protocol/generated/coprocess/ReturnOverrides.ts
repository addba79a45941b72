// Original file: proto/coprocess_return_overrides.proto


export interface ReturnOverrides {
  /**
   * The gateway sends -1 ("no override").
   */
  'response_code'?: (number);
  'response_error'?: (string);
  'headers'?: ({[key: string]: string});
  'override_error'?: (boolean);
  /**
   * An alias of response_error; response_error wins when both are set.
   */
  'response_body'?: (string);
}

export interface ReturnOverrides__Output {
  /**
   * The gateway sends -1 ("no override").
   */
  'response_code': (number);
  'response_error': (string);
  'headers': ({[key: string]: string});
  'override_error': (boolean);
  /**
   * An alias of response_error; response_error wins when both are set.
   */
  'response_body': (string);
}
