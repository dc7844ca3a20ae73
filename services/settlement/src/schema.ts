import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import type { SettlementDeps } from './graphql/deps.ts';
import { createResolvers } from './graphql/resolvers.ts';

export const SCHEMA_PATH = new URL('./schema.graphql', import.meta.url);

/** The contract is the .graphql file (the gateway composes the same file); resolvers attach to it. */
export function buildSettlementSchema(deps: SettlementDeps): GraphQLSchema {
  const typeDefs = parse(readFileSync(SCHEMA_PATH, 'utf8'));
  return buildSubgraphSchema([{ typeDefs, resolvers: createResolvers(deps) }]);
}
