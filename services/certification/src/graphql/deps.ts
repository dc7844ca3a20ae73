import type { CentreRef } from '@starline/common';
import type { LicencePolicy } from '../rules/policy.ts';
import type { CertificationStore } from '../store/certification.ts';

export interface CertificationDeps {
  store: CertificationStore;
  now: () => Date;
  /** The licence policy of the standard in force now, as the standards service tells it. */
  policy: () => Promise<LicencePolicy>;
  /** The centre with this id as the network service tells it; null when there is none. */
  centre: (id: string) => Promise<CentreRef | null>;
}
