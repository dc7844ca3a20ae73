import { describe, expect, it } from 'vitest';
import { mergeContent } from '../src/rules/content.ts';
import { defaultStandardContent } from '../src/rules/defaults.ts';

describe('mergeContent', () => {
  it('replaces each given part whole and keeps the others', () => {
    const base = defaultStandardContent();
    const grading = { aMinScore: 92, bMinScore: 70, minCompletions: 5 };
    const productLines = [{ code: 'TELEVISION', name: 'TV', warrantyMonths: 24 }];
    const priceList = [
      { code: 'TV-LABOUR', productLine: 'TELEVISION', kind: 'LABOUR' as const, description: 'labour', priceFen: 5000 },
    ];
    const { content, changed } = mergeContent(base, { grading, productLines, priceList });
    expect(content.grading).toEqual(grading);
    expect(content.productLines).toEqual(productLines);
    expect(content.priceList).toEqual(priceList);
    expect(content.kpis).toEqual(base.kpis);
    expect(changed).toEqual(['grading', 'productLines', 'priceList']);
  });

  it('never changes the base it copies', () => {
    const base = defaultStandardContent();
    const { content } = mergeContent(base, { name: 'new' });
    content.kpis[0]!.weight = 1;
    expect(base.name).toBe(defaultStandardContent().name);
    expect(base.kpis[0]!.weight).toBe(30);
  });

  it('clears the description on null but reports null for a required part', () => {
    const { content, changed, nulled } = mergeContent(defaultStandardContent(), {
      description: null,
      kpis: null,
      priceList: null,
    });
    expect(content.description).toBeNull();
    expect(changed).toEqual(['description']);
    expect(nulled).toEqual(['kpis', 'priceList']);
    expect(content.kpis).toHaveLength(6);
    expect(content.priceList).toEqual(defaultStandardContent().priceList);
  });

  it('copies input objects without a prototype (as GraphQL builds them) into plain ones', () => {
    const grading = Object.assign(Object.create(null) as object, { aMinScore: 91, bMinScore: 74, minCompletions: 3 });
    const { content } = mergeContent(defaultStandardContent(), { grading: grading as never });
    expect(Object.getPrototypeOf(content.grading)).toBe(Object.prototype);
    expect(content.grading.aMinScore).toBe(91);
  });
});
