import type { CentreStore } from '../store/centres.ts';

export interface NetworkDeps {
  store: CentreStore;
  now: () => Date;
}
