import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkSupergraph,
  composeSupergraph,
  discoverSubgraphs,
  localSubgraphUrl,
  SUPERGRAPH_PATH,
} from '../src/compose.ts';
import { subgraphUrls } from '../src/supergraph.ts';

const FED = '@link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

describe('supergraph composition', () => {
  it('composes every services/*/src/schema.graphql, routed to the default local ports', () => {
    const subgraphs = discoverSubgraphs();
    expect(subgraphs.map((s) => s.name)).toContain('standards');
    const result = composeSupergraph(subgraphs);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(subgraphUrls(result.supergraphSdl)).toMatchObject({ standards: 'http://127.0.0.1:4101/graphql' });
    expect(result.supergraphSdl).toContain('standardInForce');
  });

  it('keeps the committed gateway/supergraph.graphql in step with the schemas (what --check enforces)', () => {
    const result = composeSupergraph(discoverSubgraphs());
    expect(checkSupergraph(result, readFileSync(SUPERGRAPH_PATH, 'utf8'))).toBeNull();
    expect(checkSupergraph(result, 'stale')).toMatch(/out of date.*\.\/starline compose/);
  });

  it('reports a subgraph schema that does not parse, naming the subgraph', () => {
    const result = composeSupergraph([
      {
        name: 'broken',
        url: 'http://127.0.0.1:1/graphql',
        sdl: 'type Query { oops: }',
        file: 'services/broken/src/schema.graphql',
      },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatch(/^\[broken\] services\/broken\/src\/schema\.graphql: Syntax Error/);
    expect(checkSupergraph(result, '')).toMatch(/^Supergraph composition failed:\n {2}- \[broken\]/);
  });

  it('reports subgraphs that contradict each other', () => {
    const result = composeSupergraph([
      { name: 'a', url: 'http://127.0.0.1:1/graphql', sdl: `extend schema ${FED}\ntype Query { total: Int }` },
      { name: 'b', url: 'http://127.0.0.1:2/graphql', sdl: `extend schema ${FED}\ntype Query { total: String }` },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join('\n')).toMatch(/Query\.total/);
  });

  it('fails when there is nothing to compose, and for a service without a port', () => {
    expect(composeSupergraph([])).toEqual({
      ok: false,
      errors: ['no subgraphs found (services/*/src/schema.graphql)'],
    });
    expect(() => localSubgraphUrl('nosuchservice')).toThrow(/SERVICE_PORT_OFFSETS/);
    expect(localSubgraphUrl('standards', 5000)).toBe('http://127.0.0.1:5101/graphql');
  });
});
