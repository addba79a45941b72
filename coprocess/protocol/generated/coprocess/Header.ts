// Original file: proto/coprocess_response_object.proto


export interface Header {
  'key'?: (string);
  'values'?: (string)[];
}

export interface Header__Output {
  'key': (string);
  'values': (string)[];
}
