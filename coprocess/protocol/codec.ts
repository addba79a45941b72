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

type Message = Record<string, unknown>;

const isDefaultScalar = (value: unknown): boolean =>
  value === 0 ||
  value === '' ||
  value === false ||
  (value instanceof Uint8Array && value.length === 0) ||
  // int64 fields become Long objects when the long package is present
  (typeof value === 'object' && value !== null && (value as { low?: unknown }).low === 0 && (value as { high?: unknown }).high === 0);

/**
 * Drops fields at their proto3 default (0, "", false, empty bytes, lists and maps), as Go and
 * grpcio encoders do, so what Hookgate sends is what Tyk would send. Message fields stay even
 * when empty: their presence means something (a session, a request, return_overrides).
 */
function omitDefaults(message: Message, type: protobuf.Type): void {
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (field.map) {
      const entries = Object.values(value as Message);
      if (entries.length === 0) delete message[field.name];
      else if (nested !== undefined) for (const entry of entries) omitDefaults(entry as Message, nested);
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length === 0) delete message[field.name];
      else if (nested !== undefined) for (const item of items) omitDefaults(item as Message, nested);
    } else if (nested !== undefined) {
      omitDefaults(value as Message, nested);
    } else if (isDefaultScalar(value)) {
      delete message[field.name];
    }
  }
}

/** Encodes an Object for the wire. Accepts enum names or numbers, Buffers or byte arrays. */
export function encodeObject(object: CoprocessObject): Buffer {
  const message = ObjectType.fromObject(object) as unknown as Message;
  omitDefaults(message, ObjectType);
  return Buffer.from(ObjectType.encode(message).finish());
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
