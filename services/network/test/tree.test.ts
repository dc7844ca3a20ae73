import { describe, expect, it } from 'vitest';
import { createsCycle, levelName, levelUnder, placementViolations, subtreeViolations } from '../src/rules/tree.ts';

describe('levels', () => {
  it('derives the level from the parent', () => {
    expect(levelUnder(null)).toBe(1);
    expect(levelUnder(1)).toBe(2);
    expect(levelUnder(3)).toBe(4);
    expect([1, 2, 3, 4].map(levelName)).toEqual([
      'HQ',
      'REGIONAL_TECHNICAL_CENTRE',
      'STAR_SERVICE_CENTRE',
      'UMBRELLA_OUTLET',
    ]);
  });

  it('puts UMBRELLA centres, and only them, at level 4', () => {
    expect(placementViolations('UMBRELLA', 1)[0]?.message).toMatch(/needs a parent/);
    expect(placementViolations('UMBRELLA', 2)).toHaveLength(1);
    expect(placementViolations('UMBRELLA', 3)).toHaveLength(1);
    expect(placementViolations('UMBRELLA', 4)).toEqual([]);
    for (const tier of ['FLAGSHIP', 'CORE', 'STANDARD'] as const) {
      expect(placementViolations(tier, 1)).toEqual([]);
      expect(placementViolations(tier, 3)).toEqual([]);
      expect(placementViolations(tier, 4)).toHaveLength(1);
      expect(placementViolations(tier, 5)).toHaveLength(1);
    }
  });
});

describe('createsCycle', () => {
  it('refuses a centre as its own parent or under its own descendant', () => {
    expect(createsCycle('a', 'a', [])).toBe(true);
    expect(createsCycle('a', 'c', ['b', 'a'])).toBe(true);
    expect(createsCycle('a', 'x', ['y'])).toBe(false);
    expect(createsCycle('a', null, [])).toBe(false);
  });
});

describe('subtreeViolations', () => {
  const subtree = [
    { id: 'star', tier: 'STANDARD' as const, depth: 1 },
    { id: 'umb', tier: 'UMBRELLA' as const, depth: 2 },
  ];
  it('accepts a move that keeps umbrella stores at level 4', () => expect(subtreeViolations(2, subtree)).toEqual([]));
  it('refuses a move that shifts them', () => {
    expect(subtreeViolations(1, subtree)[0]?.message).toMatch(/umb/);
    expect(subtreeViolations(3, subtree)[0]?.message).toMatch(/star/);
  });
});
