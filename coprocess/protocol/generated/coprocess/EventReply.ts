// Original file: proto/coprocess_object.proto


export interface EventReply {
}

export interface EventReply__Output {
}
