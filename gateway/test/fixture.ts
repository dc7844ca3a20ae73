/**
 * A tiny in-process Federation 2 subgraph and a gateway in front of it, composed by hand, so the
 * gateway's auth, headers and limits are tested without any external process.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import {
  CLAIMS_HEADER,
  createLogger,
  DomainError,
  mintToken,
  verifyClaims,
  type Claims,
  type ErrorCode,
} from '@starline/common';
import { composeSupergraph } from '../src/compose.ts';
import { startGateway, type GatewayOptions, type RunningGateway } from '../src/gateway.ts';
import { LIMIT_DEFAULTS, type GatewayLimits } from '../src/limits.ts';

export const JWT_SECRET = 'fixture-jwt-secret-at-least-32-characters-long';
export const SIGNING_SECRET = 'fixture-gateway-signing-secret';

export const FIXTURE_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    "The caller as the gateway vouched for it (null = anonymous)."
    viewer: Viewer
    "Items, each with a child to nest into as deep as a test wants."
    items: [Item!]!
    "Fails with a Starline error code."
    fail(code: String!): Boolean
    "Fails with an unexpected error carrying a stack trace."
    boom: Boolean
    "Answers after a second."
    slow: Boolean
  }

  type Mutation {
    "Does nothing; there to check that mutations need POST."
    touch: Boolean
  }

  type Viewer {
    sub: String!
    roles: [String!]!
  }

  type Item @key(fields: "id") {
    id: ID!
    name: String!
    child: Item
  }
`;

/** What the subgraph received, request by request. */
export interface SeenRequest {
  headers: IncomingHttpHeaders;
  claims: Claims | null;
}

export interface FixtureSubgraph {
  url: string;
  seen: SeenRequest[];
  stop(): Promise<void>;
}

const item = (id: number): { id: string; name: string } => ({ id: String(id), name: `item ${id}` });

export async function startFixtureSubgraph(): Promise<FixtureSubgraph> {
  const seen: SeenRequest[] = [];
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(FIXTURE_SDL),
      resolvers: {
        Query: {
          viewer: (_: unknown, __: unknown, ctx: { claims: Claims | null }) => ctx.claims,
          items: () => [item(1), item(2)],
          fail: (_: unknown, args: { code: string }) => {
            throw new DomainError(args.code as ErrorCode, `failed with ${args.code}`);
          },
          slow: () => new Promise((resolve) => setTimeout(() => resolve(true), 1_000)),
          boom: () => {
            throw new Error('database exploded at /srv/secret/path.ts:42');
          },
        },
        Mutation: { touch: () => true },
        Item: {
          child: (parent: { id: string }) => item(Number(parent.id) + 10),
        },
      },
    },
  ]);
  const server = new ApolloServer<{ claims: Claims | null }>({
    schema,
    csrfPrevention: false,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      // The subgraph trusts only the gateway's signature, exactly as common/src/subgraph.ts does.
      const header = req.headers[CLAIMS_HEADER];
      const claims = verifyClaims(Array.isArray(header) ? header[0] : header, SIGNING_SECRET);
      seen.push({ headers: req.headers, claims });
      return { claims };
    },
  });
  return { url, seen, stop: () => server.stop() };
}

export function fixtureSupergraph(subgraphUrl: string): string {
  const result = composeSupergraph([{ name: 'fixture', url: subgraphUrl, sdl: FIXTURE_SDL }]);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.supergraphSdl;
}

export interface Fixture {
  subgraph: FixtureSubgraph;
  gateway: RunningGateway;
  /** POST a GraphQL request to the gateway as JSON. */
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

export async function startFixture(
  limits: Partial<GatewayLimits> = {},
  devMode = false,
  plugins: GatewayOptions['plugins'] = [],
  more: Pick<GatewayOptions, 'resilience'> = {},
): Promise<Fixture> {
  const subgraph = await startFixtureSubgraph();
  const gateway = await startGateway(
    {
      jwtSecret: JWT_SECRET,
      jwksUrl: undefined,
      signingSecret: SIGNING_SECRET,
      devMode,
      portBase: 4000,
      host: '127.0.0.1',
    },
    {
      port: 0,
      limits: { ...LIMIT_DEFAULTS, ...limits },
      supergraphSdl: fixtureSupergraph(subgraph.url),
      log: createLogger('gateway-test', process.env['TEST_LOG_LEVEL'] ?? 'silent'),
      plugins,
      ...more,
    },
  );
  return {
    subgraph,
    gateway,
    post: (body, headers = {}) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    async stop() {
      await gateway.close();
      await subgraph.stop();
    },
  };
}

export const tokenFor = (claims: Claims, expiresIn: string | number = '1h') => mintToken(claims, JWT_SECRET, expiresIn);
