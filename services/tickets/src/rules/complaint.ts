/**
 * A complaint (投诉, domain.md §5): opened by an UNSATISFIED callback or by the customer, with a
 * severity (投诉分级, 1 = most serious), a response deadline and, once investigated, a responsible
 * party. Only the facts the ticket rules read; the complaint workflow (受理 → 处理 → 改进) comes later.
 */
export const COMPLAINT_SEVERITIES = [1, 2, 3] as const;
export type ComplaintSeverity = (typeof COMPLAINT_SEVERITIES)[number];

export type ResponsibleParty = { kind: 'ENGINEER'; engineerId: string } | { kind: 'CENTRE' };

export interface Complaint {
  id: string;
  ticketId: string;
  centreId: string;
  severity: ComplaintSeverity;
  openedAt: Date;
  respondedAt: Date | null;
  /** null until the investigation names one. */
  responsibleParty: ResponsibleParty | null;
}

/** What the complaint side reports to the KPI counters. */
export interface ComplaintOpenedEvent {
  type: 'COMPLAINT_OPENED';
  at: Date;
  actor?: string;
  data: { complaintId: string; ticketId: string; centreId: string; severity: ComplaintSeverity };
}
