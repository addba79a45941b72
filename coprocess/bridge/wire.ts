/**
 * Objects between gRPC bytes and the JSON the workers read: only fields that are set (a present
 * but empty message stays `{}`, so presence survives), bytes as base64, enums as numbers. Python
 * builds only what arrived, and the reply comes back in the same shape.
 */
import { decodeEvent, encodeObject, messageTypes, type CoprocessObject } from '../protocol/index.js';
import type { WireObject } from './messages.js';

const TO_WIRE = { longs: Number, enums: Number, bytes: String, defaults: false, arrays: false, objects: false } as const;

/** Throws when the bytes are not a coprocess Object. */
export function objectToWire(bytes: Uint8Array): WireObject {
  const type = messageTypes.Object;
  return type.toObject(type.decode(bytes), TO_WIRE) as WireObject;
}

/** The reply as gRPC bytes; throws when a field cannot be encoded. */
export function objectFromWire(object: WireObject): Buffer {
  return encodeObject(object as CoprocessObject);
}

/** The `payload` of an Event (Tyk's event JSON); throws when the bytes are not an Event. */
export function eventPayload(bytes: Uint8Array): string {
  return decodeEvent(bytes).payload;
}
