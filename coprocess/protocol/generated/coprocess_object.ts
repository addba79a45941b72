import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AccessDefinition as _coprocess_AccessDefinition, AccessDefinition__Output as _coprocess_AccessDefinition__Output } from './coprocess/AccessDefinition.js';
import type { AccessSpec as _coprocess_AccessSpec, AccessSpec__Output as _coprocess_AccessSpec__Output } from './coprocess/AccessSpec.js';
import type { BasicAuthData as _coprocess_BasicAuthData, BasicAuthData__Output as _coprocess_BasicAuthData__Output } from './coprocess/BasicAuthData.js';
import type { DispatcherClient as _coprocess_DispatcherClient, DispatcherDefinition as _coprocess_DispatcherDefinition } from './coprocess/Dispatcher.js';
import type { Event as _coprocess_Event, Event__Output as _coprocess_Event__Output } from './coprocess/Event.js';
import type { EventReply as _coprocess_EventReply, EventReply__Output as _coprocess_EventReply__Output } from './coprocess/EventReply.js';
import type { Header as _coprocess_Header, Header__Output as _coprocess_Header__Output } from './coprocess/Header.js';
import type { JWTData as _coprocess_JWTData, JWTData__Output as _coprocess_JWTData__Output } from './coprocess/JWTData.js';
import type { MiniRequestObject as _coprocess_MiniRequestObject, MiniRequestObject__Output as _coprocess_MiniRequestObject__Output } from './coprocess/MiniRequestObject.js';
import type { Monitor as _coprocess_Monitor, Monitor__Output as _coprocess_Monitor__Output } from './coprocess/Monitor.js';
import type { Object as _coprocess_Object, Object__Output as _coprocess_Object__Output } from './coprocess/Object.js';
import type { ResponseObject as _coprocess_ResponseObject, ResponseObject__Output as _coprocess_ResponseObject__Output } from './coprocess/ResponseObject.js';
import type { ReturnOverrides as _coprocess_ReturnOverrides, ReturnOverrides__Output as _coprocess_ReturnOverrides__Output } from './coprocess/ReturnOverrides.js';
import type { SessionState as _coprocess_SessionState, SessionState__Output as _coprocess_SessionState__Output } from './coprocess/SessionState.js';
import type { StringSlice as _coprocess_StringSlice, StringSlice__Output as _coprocess_StringSlice__Output } from './coprocess/StringSlice.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  coprocess: {
    AccessDefinition: MessageTypeDefinition<_coprocess_AccessDefinition, _coprocess_AccessDefinition__Output>
    AccessSpec: MessageTypeDefinition<_coprocess_AccessSpec, _coprocess_AccessSpec__Output>
    BasicAuthData: MessageTypeDefinition<_coprocess_BasicAuthData, _coprocess_BasicAuthData__Output>
    Dispatcher: SubtypeConstructor<typeof grpc.Client, _coprocess_DispatcherClient> & { service: _coprocess_DispatcherDefinition }
    Event: MessageTypeDefinition<_coprocess_Event, _coprocess_Event__Output>
    EventReply: MessageTypeDefinition<_coprocess_EventReply, _coprocess_EventReply__Output>
    Header: MessageTypeDefinition<_coprocess_Header, _coprocess_Header__Output>
    HookType: EnumTypeDefinition
    JWTData: MessageTypeDefinition<_coprocess_JWTData, _coprocess_JWTData__Output>
    MiniRequestObject: MessageTypeDefinition<_coprocess_MiniRequestObject, _coprocess_MiniRequestObject__Output>
    Monitor: MessageTypeDefinition<_coprocess_Monitor, _coprocess_Monitor__Output>
    Object: MessageTypeDefinition<_coprocess_Object, _coprocess_Object__Output>
    ResponseObject: MessageTypeDefinition<_coprocess_ResponseObject, _coprocess_ResponseObject__Output>
    ReturnOverrides: MessageTypeDefinition<_coprocess_ReturnOverrides, _coprocess_ReturnOverrides__Output>
    SessionState: MessageTypeDefinition<_coprocess_SessionState, _coprocess_SessionState__Output>
    StringSlice: MessageTypeDefinition<_coprocess_StringSlice, _coprocess_StringSlice__Output>
  }
}

