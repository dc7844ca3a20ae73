import type { LicencePolicy } from '../rules/policy.ts';
import type { CertificationStore } from '../store/certification.ts';

export interface CertificationDeps {
  store: CertificationStore;
  now: () => Date;
  /** The policy when the standard in force is not supplied (DEFAULT_LICENCE_POLICY). */
  policy: LicencePolicy;
}
