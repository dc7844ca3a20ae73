import type { Violation } from '@starline/common';
import type { CentreTier } from './validate.ts';

/**
 * The four-level network (四级服务网络), derived from the parent:
 *   level 1  a root centre: customer-service HQ (顾客服务总部)
 *   level 2  a child of HQ: regional technical service centre (工贸技术服务中心)
 *   level 3  a child of a regional centre: star service centre (星级服务中心)
 *   level 4  a child of a star centre: umbrella store / authorised outlet (伞下店 / 特约网点)
 * level = parent ? parent.level + 1 : 1, and level 4 holds exactly the UMBRELLA tier: an umbrella
 * store hangs under a star centre, and a star centre's children are umbrella stores.
 */
export const MAX_LEVEL = 4;
export const LEVEL_NAMES = ['HQ', 'REGIONAL_TECHNICAL_CENTRE', 'STAR_SERVICE_CENTRE', 'UMBRELLA_OUTLET'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];

export const levelName = (level: number): LevelName => LEVEL_NAMES[Math.min(Math.max(level, 1), MAX_LEVEL) - 1]!;

export const levelUnder = (parentLevel: number | null): number => (parentLevel === null ? 1 : parentLevel + 1);

/** Why a centre of `tier` cannot sit at `level` (empty when it can). */
export function placementViolations(tier: CentreTier, level: number, field = 'parentId'): Violation[] {
  if (tier === 'UMBRELLA') {
    if (level === 1) return [{ field, message: 'an UMBRELLA centre needs a parent centre' }];
    if (level !== MAX_LEVEL)
      return [{ field, message: 'an UMBRELLA centre must sit under a star service centre (level 3)' }];
    return [];
  }
  if (level >= MAX_LEVEL) {
    return [
      {
        field,
        message: `a ${tier} centre cannot sit under a level ${level - 1} centre: only UMBRELLA centres sit at level 4`,
      },
    ];
  }
  return [];
}

/**
 * A move of `centreId` under `newParentId` closes a cycle when the centre is the new parent or one
 * of its ancestors. `ancestorsOfNewParent` lists the new parent's ancestors, nearest first.
 */
export function createsCycle(
  centreId: string,
  newParentId: string | null,
  ancestorsOfNewParent: readonly string[],
): boolean {
  if (newParentId === null) return false;
  return newParentId === centreId || ancestorsOfNewParent.includes(centreId);
}

export interface SubtreeNode {
  id: string;
  tier: CentreTier;
  /** Distance below the moved centre (its children are 1). */
  depth: number;
}

/** Violations when the moved centre lands at `newLevel`, checking every descendant's new level. */
export function subtreeViolations(newLevel: number, descendants: readonly SubtreeNode[]): Violation[] {
  for (const d of descendants) {
    const level = newLevel + d.depth;
    if (placementViolations(d.tier, level).length > 0) {
      return [
        {
          field: 'parentId',
          message: `the move would put descendant ${d.id} (${d.tier}) at level ${level}, where it cannot sit`,
        },
      ];
    }
  }
  return [];
}

export const TREE_MAX_NODES = 500;
