/**
 * A stand-in for the standards subgraph that answers `standardInForce` from memory: the real
 * contract (services/standards/src/schema.graphql), the real default content, the shared subgraph
 * server with its signature check — but no database. With it the benchmark measures the gateways
 * rather than FerretDB (`BENCH_SUBGRAPH=static node test/bench/gateway.ts`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import {
  createLogger,
  loadPlatformConfig,
  requireRole,
  ROLES,
  serveSubgraph,
  servicePort,
  type RequestContext,
} from '@starline/common';
import { defaultStandardContent } from '../../services/standards/src/rules/defaults.ts';

const cfg = loadPlatformConfig();
const at = new Date().toISOString();
const version = {
  id: 'static-1',
  number: 1,
  status: 'PUBLISHED',
  effectiveFrom: at,
  createdBy: 'bench',
  createdAt: at,
  updatedAt: at,
  history: [],
  ...defaultStandardContent(),
};
const typeDefs = parse(
  readFileSync(path.resolve(import.meta.dirname, '../../services/standards/src/schema.graphql'), 'utf8'),
);
const resolvers = {
  Query: {
    standardInForce: (_: unknown, __: unknown, ctx: RequestContext) => {
      requireRole(ctx.claims, ...ROLES);
      return version;
    },
  },
};
await serveSubgraph({
  name: 'standards',
  schema: buildSubgraphSchema([{ typeDefs, resolvers: resolvers as never }]),
  port: servicePort(cfg, 'standards'),
  host: cfg.host,
  log: createLogger('standards-static', cfg.logLevel),
  signingSecret: cfg.signingSecret,
  allowDirectAccess: false,
  devMode: false,
  ready: async () => true,
});
