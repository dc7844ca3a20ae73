import type { GraphQLResolverMap } from '@apollo/subgraph';
import { DateTimeScalar, type RequestContext } from '@starline/common';
import type { IntakeInput } from '../rules/validate.ts';
import type { TicketsDeps } from './deps.ts';
import * as complaints from './complaints.ts';
import * as mutations from './mutations.ts';
import * as queries from './queries.ts';
import { complaintFields, ticketFields, type ComplaintView, type TicketView } from './view.ts';

type Ctx = RequestContext;

export function createResolvers(deps: TicketsDeps): GraphQLResolverMap<RequestContext> {
  const step = (name: mutations.StepName) => (_: unknown, args: mutations.StepArgs, ctx: Ctx) =>
    mutations.step(deps, ctx, name, args);
  const steps = Object.fromEntries(
    (Object.keys(mutations.STEPS) as mutations.StepName[]).map((name) => [name, step(name)]),
  );
  return {
    DateTime: DateTimeScalar,
    Query: {
      ticket: (_: unknown, args: { id: string }, ctx: Ctx) => queries.ticket(deps, ctx, args.id),
      ticketByNumber: (_: unknown, args: { number: string }, ctx: Ctx) =>
        queries.ticketByNumber(deps, ctx, args.number),
      tickets: (_: unknown, args: queries.SearchArgs, ctx: Ctx) => queries.tickets(deps, ctx, args),
      jobChanges: (_: unknown, args: { since?: string | null; first?: number | null }, ctx: Ctx) =>
        queries.jobChanges(deps, ctx, args),
      complaint: (_: unknown, args: { id: string }, ctx: Ctx) => complaints.complaint(deps, ctx, args.id),
      complaints: (_: unknown, args: complaints.ComplaintListArgs, ctx: Ctx) => complaints.complaints(deps, ctx, args),
    },
    Mutation: {
      receiveTicket: (_: unknown, args: { input: IntakeInput; idempotencyKey?: string | null }, ctx: Ctx) =>
        mutations.receiveTicket(deps, ctx, args.input, args.idempotencyKey),
      ...steps,
      pushJobUpdates: (_: unknown, args: { updates: mutations.JobUpdateInput[] }, ctx: Ctx) =>
        mutations.pushJobUpdates(deps, ctx, args.updates),
      openComplaint: (_: unknown, args: Parameters<typeof complaints.openComplaint>[2], ctx: Ctx) =>
        complaints.openComplaint(deps, ctx, args),
      respondToComplaint: (_: unknown, args: Parameters<typeof complaints.respondToComplaint>[2], ctx: Ctx) =>
        complaints.respondToComplaint(deps, ctx, args),
      resolveComplaint: (_: unknown, args: Parameters<typeof complaints.resolveComplaint>[2], ctx: Ctx) =>
        complaints.resolveComplaint(deps, ctx, args),
      closeComplaint: (_: unknown, args: Parameters<typeof complaints.closeComplaint>[2], ctx: Ctx) =>
        complaints.closeComplaint(deps, ctx, args),
    },
    Ticket: {
      __resolveReference: (ref: { id: string }, ctx: Ctx) => queries.visibleOrNull(deps, ctx, ref.id),
      ...ticketFields(deps.now),
      complaints: (t: TicketView) => complaints.complaintsOf(deps, t),
    },
    Complaint: {
      ...complaintFields(deps.now),
      ticket: (c: ComplaintView, _: unknown, ctx: Ctx) => queries.visibleOrNull(deps, ctx, c.ticketId),
    },
    JobChange: {
      ticket: (c: Parameters<typeof queries.changeTicket>[0]) => queries.changeTicket(c),
    },
    ServiceCentre: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      openTickets: (c: { id: string }, _: unknown, ctx: Ctx) => queries.openTickets(deps, ctx, c.id),
      ticketsSoFar: (c: { id: string }, _: unknown, ctx: Ctx) => queries.ticketsSoFar(deps, ctx, c.id),
    },
    Engineer: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      tickets: (e: { id: string }, args: { day?: string | null }, ctx: Ctx) =>
        queries.engineerTickets(deps, ctx, e.id, args.day),
    },
  };
}
