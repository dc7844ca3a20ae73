import type { CentreRef, CertificationActivities, EngineerRef, TicketPolicyInput } from '@starline/common';
import type { TicketsStore } from '../store/tickets.ts';
import type { Lifecycle } from './lifecycle.ts';

export interface TicketsDeps {
  store: TicketsStore;
  now: () => Date;
  /** The ticket policy of the standard in force now, as the standards service tells it (checked). */
  ticketPolicy: () => Promise<TicketPolicyInput>;
  /** The centre with this id as the network service tells it; null when there is none. */
  centre: (id: string) => Promise<CentreRef | null>;
  /** The engineer with this id as the certification service tells it; null when there is none. */
  engineer: (id: string) => Promise<EngineerRef | null>;
  /** The lifecycle workflows: every change of a ticket after intake goes through its workflow. */
  lifecycle: Lifecycle;
  /**
   * Records licence evidence with the certification service (its `recordLicenceEvent` activity,
   * through Temporal): idempotent by evidence key there, so sending it again is harmless.
   */
  recordLicenceEvent: CertificationActivities['recordLicenceEvent'];
}
