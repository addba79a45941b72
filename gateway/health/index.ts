export { handleLiveness, handleReadiness } from './handlers.js';
