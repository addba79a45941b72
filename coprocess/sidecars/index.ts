export type { ReadinessProbe, SidecarEvents, SidecarSpec, SidecarState, SidecarStatus } from './types.js';
