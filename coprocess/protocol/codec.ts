import protobuf from 'protobufjs';
import type { Event, Event__Output } from './generated/coprocess/Event.js';
import type { Object as CoprocessObject, Object__Output } from './generated/coprocess/Object.js';
import { MESSAGE_OPTIONS, PROTO_DIR, PROTO_ENTRY } from './options.js';

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : `${PROTO_DIR}/${target}`);
  root.loadSync(PROTO_ENTRY, { keepCase: true });
  root.resolveAll();
  return root;
}

const root = loadRoot();
const ObjectType = root.lookupType('coprocess.Object');
const EventType = root.lookupType('coprocess.Event');
const EventReplyType = root.lookupType('coprocess.EventReply');

/** The protobufjs types, for code that needs reflection (tests, tools). */
export const messageTypes = { root, Object: ObjectType, Event: EventType, EventReply: EventReplyType };

/** Encodes an Object for the wire. Accepts enum names or numbers, Buffers or byte arrays. */
export function encodeObject(object: CoprocessObject): Buffer {
  return Buffer.from(ObjectType.encode(ObjectType.fromObject(object)).finish());
}

/** Decodes an Object from the wire, every field present (see MESSAGE_OPTIONS). Throws on malformed input. */
export function decodeObject(bytes: Uint8Array): Object__Output {
  return ObjectType.toObject(ObjectType.decode(bytes), MESSAGE_OPTIONS) as Object__Output;
}

export function encodeEvent(event: Event): Buffer {
  return Buffer.from(EventType.encode(EventType.fromObject(event)).finish());
}

export function decodeEvent(bytes: Uint8Array): Event__Output {
  return EventType.toObject(EventType.decode(bytes), MESSAGE_OPTIONS) as Event__Output;
}

/** EventReply has no fields: its encoding is empty. */
export const EMPTY_EVENT_REPLY = Buffer.alloc(0);

export function decodeEventReply(bytes: Uint8Array): void {
  EventReplyType.decode(bytes);
}
