/**
 * The benchmark's baseline: @apollo/gateway (JS query planner) on @apollo/server, serving the same
 * supergraph with the same edge work as ours — the same cached JWT verification and the same signed
 * claims and request-id headers on every subgraph call — so the comparison is of the gateways.
 *   node test/bench/apollo-gateway.ts     (port from BENCH_APOLLO_PORT, subgraph URLs as for ours)
 */
import { randomUUID } from 'node:crypto';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLError } from 'graphql';
import { CLAIMS_HEADER, loadPlatformConfig, signClaims, tokenVerifier, type Claims } from '@starline/common';
import { loadSupergraph } from '../../gateway/src/supergraph.ts';
import { createAuthenticator } from '../../gateway/src/authenticate.ts';

interface Context {
  claims: Claims | null;
  requestId: string;
}

const cfg = loadPlatformConfig();
const port = Number(process.env['BENCH_APOLLO_PORT'] ?? 4090);
const authenticate = createAuthenticator({ verify: tokenVerifier({ secret: cfg.jwtSecret, jwksUrl: cfg.jwksUrl }) });

class SignedClaimsDataSource extends RemoteGraphQLDataSource<Context> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>): void {
    request.http?.headers.set(CLAIMS_HEADER, signClaims(context.claims ?? null, cfg.signingSecret));
    request.http?.headers.set('x-request-id', context.requestId ?? randomUUID());
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: loadSupergraph(cfg),
  buildService: ({ url }) => new SignedClaimsDataSource({ url }),
});
const server = new ApolloServer<Context>({ gateway, introspection: false, includeStacktraceInErrorResponses: false });
const { url } = await startStandaloneServer(server, {
  listen: { port, host: '127.0.0.1' },
  context: async ({ req }) => {
    try {
      const claims = await authenticate(req.headers.authorization);
      return { claims, requestId: String(req.headers['x-request-id'] ?? randomUUID()) };
    } catch (e) {
      throw new GraphQLError((e as Error).message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
  },
});
console.log(JSON.stringify({ msg: 'apollo gateway listening', url }));
const stop = () => void server.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
