import type { SettlementStore } from '../store/settlement.ts';
import type { SettlementWorkflow } from './settlement-workflow.ts';

export interface SettlementDeps {
  store: SettlementStore;
  now: () => Date;
  /** The monthly settlement workflows (settlement-workflow.ts): started, approved, rebuilt, told of adjustments. */
  workflow: SettlementWorkflow;
}
