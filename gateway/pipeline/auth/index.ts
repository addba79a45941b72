export { authMethodRunner } from './methods.js';
export { failWith, namesPolicies, pass, type AuthFail, type AuthMethodRunner, type AuthPass, type AuthResult } from './method.js';
export { authStageOf, type MethodFactory } from './run.js';
