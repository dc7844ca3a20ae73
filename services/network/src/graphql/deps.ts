import type { CentreStore } from '../store/centres.ts';

export interface NetworkDeps {
  store: CentreStore;
  now: () => Date;
  /** The product lines of the standard in force now, as the standards service tells them. */
  productLines: () => Promise<{ standardVersionId: string; productLines: readonly string[] }>;
}
