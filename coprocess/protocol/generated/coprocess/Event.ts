// Original file: proto/coprocess_object.proto


export interface Event {
  /**
   * A JSON document: {"message": ..., "handler_name": ..., "spec": ...}.
   */
  'payload'?: (string);
}

export interface Event__Output {
  /**
   * A JSON document: {"message": ..., "handler_name": ..., "spec": ...}.
   */
  'payload': (string);
}
