/** The activity contract of the `tickets` task queue lives with the others in @starline/common. */
export type {
  TicketCommandInput,
  TicketEvidence,
  TicketPolicyInput,
  TicketsActivities,
  TicketSummary,
} from '@starline/common';
