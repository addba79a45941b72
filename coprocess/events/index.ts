export { eventPayload, goTimeString, originatingRequest, type EventSource } from './payload.js';
