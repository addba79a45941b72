export { HostRouter, requestHost } from './host-router.js';
export { parseRequestTarget, removeDotSegments, type RequestTarget } from './request-target.js';
export { Router, type RouteMatch } from './router.js';
export { lenientView, mayReadDifferently } from './lenient-view.js';
