// Original file: proto/coprocess_common.proto


/**
 * Defined by Tyk but not used by any other message.
 */
export interface StringSlice {
  'items'?: (string)[];
}

/**
 * Defined by Tyk but not used by any other message.
 */
export interface StringSlice__Output {
  'items': (string)[];
}
