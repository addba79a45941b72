// Original file: proto/coprocess_object.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Event as _coprocess_Event, Event__Output as _coprocess_Event__Output } from '../coprocess/Event.js';
import type { EventReply as _coprocess_EventReply, EventReply__Output as _coprocess_EventReply__Output } from '../coprocess/EventReply.js';
import type { Object as _coprocess_Object, Object__Output as _coprocess_Object__Output } from '../coprocess/Object.js';

export interface DispatcherClient extends grpc.Client {
  Dispatch(argument: _coprocess_Object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coprocess_Object__Output>): grpc.ClientUnaryCall;
  Dispatch(argument: _coprocess_Object, metadata: grpc.Metadata, callback: grpc.requestCallback<_coprocess_Object__Output>): grpc.ClientUnaryCall;
  Dispatch(argument: _coprocess_Object, options: grpc.CallOptions, callback: grpc.requestCallback<_coprocess_Object__Output>): grpc.ClientUnaryCall;
  Dispatch(argument: _coprocess_Object, callback: grpc.requestCallback<_coprocess_Object__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _coprocess_Object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coprocess_Object__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _coprocess_Object, metadata: grpc.Metadata, callback: grpc.requestCallback<_coprocess_Object__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _coprocess_Object, options: grpc.CallOptions, callback: grpc.requestCallback<_coprocess_Object__Output>): grpc.ClientUnaryCall;
  dispatch(argument: _coprocess_Object, callback: grpc.requestCallback<_coprocess_Object__Output>): grpc.ClientUnaryCall;
  
  DispatchEvent(argument: _coprocess_Event, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coprocess_EventReply__Output>): grpc.ClientUnaryCall;
  DispatchEvent(argument: _coprocess_Event, metadata: grpc.Metadata, callback: grpc.requestCallback<_coprocess_EventReply__Output>): grpc.ClientUnaryCall;
  DispatchEvent(argument: _coprocess_Event, options: grpc.CallOptions, callback: grpc.requestCallback<_coprocess_EventReply__Output>): grpc.ClientUnaryCall;
  DispatchEvent(argument: _coprocess_Event, callback: grpc.requestCallback<_coprocess_EventReply__Output>): grpc.ClientUnaryCall;
  dispatchEvent(argument: _coprocess_Event, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_coprocess_EventReply__Output>): grpc.ClientUnaryCall;
  dispatchEvent(argument: _coprocess_Event, metadata: grpc.Metadata, callback: grpc.requestCallback<_coprocess_EventReply__Output>): grpc.ClientUnaryCall;
  dispatchEvent(argument: _coprocess_Event, options: grpc.CallOptions, callback: grpc.requestCallback<_coprocess_EventReply__Output>): grpc.ClientUnaryCall;
  dispatchEvent(argument: _coprocess_Event, callback: grpc.requestCallback<_coprocess_EventReply__Output>): grpc.ClientUnaryCall;
  
}

export interface DispatcherHandlers extends grpc.UntypedServiceImplementation {
  Dispatch: grpc.handleUnaryCall<_coprocess_Object__Output, _coprocess_Object>;
  
  DispatchEvent: grpc.handleUnaryCall<_coprocess_Event__Output, _coprocess_EventReply>;
  
}

export interface DispatcherDefinition extends grpc.ServiceDefinition {
  Dispatch: MethodDefinition<_coprocess_Object, _coprocess_Object, _coprocess_Object__Output, _coprocess_Object__Output>
  DispatchEvent: MethodDefinition<_coprocess_Event, _coprocess_EventReply, _coprocess_Event__Output, _coprocess_EventReply__Output>
}
