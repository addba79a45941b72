export { grpcReadinessProbe } from './probe.js';
export { SidecarSupervisor, type SidecarSupervisorOptions } from './supervisor.js';
export type { ReadinessProbe, SidecarEvents, SidecarSpec, SidecarState, SidecarStatus } from './types.js';
