export { GatewayMetrics } from './metrics.js';
