export * from './auth/index.js';
export { apiLoadContextOf } from './context.js';
export { checkApiFeatures, NO_PLUGINS, type ApiLoadContext, type FeatureCheck } from './features.js';
export { goJsonMarshal, hookIsOn, specMapOf, type HookPoint, type HookSpec, type PluginPlan } from './plugins.js';
export { loadApiDefinitions, loadApiDocuments, type ApiDocument, type ApiLoadResult, type RefusedApi } from './load.js';
export { apiSpecOf, routePrefixOf, upstreamTargetOf, type ApiSpec, type UpstreamTarget } from './model.js';
export { apiDefinitionSchema, type ApiDefinition, type MiddlewareDefinition } from './schema.js';
export { TYK_APIDEF_FOREIGN_FIELDS } from './tyk-fields.js';
export { isOasDocument, readOasApi, TYK_EXTENSION_KEY, type OasApi } from './oas/index.js';
