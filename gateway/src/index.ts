export {
  composeSupergraph,
  discoverSubgraphs,
  localSubgraphUrl,
  SUPERGRAPH_PATH,
  type ComposeResult,
  type SubgraphSource,
} from './compose.ts';
export {
  createGateway,
  startGateway,
  type Gateway,
  type GatewayConfig,
  type GatewayOptions,
  type RunningGateway,
} from './gateway.ts';
export { LIMIT_DEFAULTS, LIMIT_ENV, loadLimits, type GatewayLimits } from './limits.ts';
export { loadSupergraph, rewriteSubgraphUrls, subgraphUrlEnvName, subgraphUrls } from './supergraph.ts';
export { REQUEST_ID_HEADER } from './upstream.ts';
export { CSRF_HEADERS } from './http.ts';
export { loadResilience, RESILIENCE_DEFAULTS, timeoutEnvName, type Resilience } from './resilience.ts';
export { negotiate, GRAPHQL_RESPONSE, LEGACY_JSON } from './media.ts';
