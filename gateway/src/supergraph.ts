import { readFileSync } from 'node:fs';
import { Kind, parse, print, visit, type DirectiveNode } from 'graphql';
import { asUrl } from '@starline/common';
import { localSubgraphUrl, SUPERGRAPH_PATH } from './compose.ts';

/** `SUBGRAPH_URL_STANDARDS` for subgraph `standards`: the per-subgraph URL override. */
export function subgraphUrlEnvName(subgraph: string): string {
  return `SUBGRAPH_URL_${subgraph.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const isJoinGraph = (d: DirectiveNode) => d.name.value === 'join__graph';

/** The subgraphs named in a supergraph and their routing URLs. */
export function subgraphUrls(supergraphSdl: string): Record<string, string> {
  const urls: Record<string, string> = {};
  visit(parse(supergraphSdl), {
    Directive(node) {
      if (!isJoinGraph(node)) return;
      const arg = (n: string) => node.arguments?.find((a) => a.name.value === n)?.value;
      const name = arg('name');
      const url = arg('url');
      if (name?.kind === Kind.STRING && url?.kind === Kind.STRING) urls[name.value] = url.value;
    },
  });
  return urls;
}

/**
 * Points every subgraph of the supergraph at `urlFor(name)`. The checked-in file routes to the
 * default local ports; this lets a second stack on another port base, or a deployment, reuse it.
 */
export function rewriteSubgraphUrls(supergraphSdl: string, urlFor: (name: string) => string): string {
  const doc = visit(parse(supergraphSdl), {
    Directive(node) {
      if (!isJoinGraph(node)) return undefined;
      const name = node.arguments?.find((a) => a.name.value === 'name')?.value;
      if (name?.kind !== Kind.STRING) return undefined;
      return {
        ...node,
        arguments: node.arguments?.map((a) =>
          a.name.value === 'url' ? { ...a, value: { kind: Kind.STRING, value: urlFor(name.value) } } : a,
        ),
      };
    },
  });
  return print(doc);
}

/**
 * The supergraph the gateway serves: gateway/supergraph.graphql with each subgraph at
 * `SUBGRAPH_URL_<NAME>` if set, else `http://127.0.0.1:<portBase + offset>/graphql`.
 */
export function loadSupergraph(
  cfg: { portBase: number },
  env: NodeJS.ProcessEnv = process.env,
  file = SUPERGRAPH_PATH,
): string {
  return rewriteSubgraphUrls(readFileSync(file, 'utf8'), (name) => {
    const varName = subgraphUrlEnvName(name);
    const override = env[varName]?.trim();
    return override ? asUrl(override, varName) : localSubgraphUrl(name, cfg.portBase);
  });
}
