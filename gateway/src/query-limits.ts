import { parse, type GraphQLError, type ValidationContext } from 'graphql';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import type { GatewayLimits } from './limits.ts';

/**
 * graphql-armor throws its rejection out of the validation visitor, which the runtime treats as an
 * unexpected failure; reporting it on the validation context makes it an ordinary validation error.
 */
const reportInstead = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

/**
 * Token limit inside graphql-js's own parser (`maxTokens`): it stops a huge document while lexing,
 * before any AST is built. The runtime's parse cache still answers repeated documents first.
 */
function useMaxTokens(maxTokens: number): GatewayPlugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => parse(source, { ...options, maxTokens }));
    },
  };
}

/** The shape limits as plugins; each rejection is a validation error the error mapping turns into BAD_USER_INPUT. */
export function queryLimitPlugins(limits: GatewayLimits, devMode: boolean): GatewayPlugin[] {
  const plugins: GatewayPlugin[] = [
    useMaxTokens(limits.maxTokens),
    // Fragments do not add a level: depth is what the client would see in the response.
    maxDepthPlugin({
      n: limits.maxDepth,
      flattenFragments: true,
      ignoreIntrospection: true,
      ...reportInstead,
    }) as GatewayPlugin,
    // Count every alias, __typename too: an alias flood is cheap to send and expensive to answer.
    maxAliasesPlugin({ n: limits.maxAliases, allowList: [], ...reportInstead }) as GatewayPlugin,
  ];
  // "Did you mean …?" lets a client map a schema whose introspection is off.
  if (!devMode) plugins.push(blockFieldSuggestionsPlugin({ mask: '' }) as GatewayPlugin);
  return plugins;
}
