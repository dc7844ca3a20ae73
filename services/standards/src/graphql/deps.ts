import type { PublicationScheduler } from '../publication.ts';
import type { StandardStore } from '../store/standards.ts';

export interface StandardsDeps {
  store: StandardStore;
  publication: PublicationScheduler;
  now: () => Date;
}
