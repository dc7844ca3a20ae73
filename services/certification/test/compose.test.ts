import { describe, expect, it } from 'vitest';
import { composeSupergraph, discoverSubgraphs } from '../../../gateway/src/compose.ts';

describe('composition', () => {
  it('composes with the other subgraphs (in memory; the supergraph file is not written)', () => {
    const subgraphs = discoverSubgraphs();
    expect(subgraphs.map((s) => s.name)).toContain('certification');
    const result = composeSupergraph(subgraphs);
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (result.ok) {
      expect(result.supergraphSdl).toMatch(/engineers\(first: Int, after: String\): EngineerConnection!/);
    }
  });
});
