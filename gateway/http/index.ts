export { createRequestHandler, type HandlerDeps } from './handler.js';
export { buildRouter, type RouteTarget } from './routes.js';
export { limitedServer, type LimitedServerOptions } from './server.js';
