import type { Connection } from 'mongoose';
import type { TicketPolicyInput } from '@starline/common';
import { insertOnce } from './facts.ts';
import { policyModel, type TicketPolicyDoc } from './models.ts';

/**
 * Ticket policies by standard version: stored once per version, and held in memory once read or
 * written (a published version's policy never changes, so nothing here can go stale).
 */
export function createTicketPolicies(conn: Connection) {
  const model = policyModel(conn);
  const known = new Map<string, Promise<TicketPolicyInput>>();
  return {
    model,

    /** Stores the policy of its version, unless this process has already stored or read it. */
    async keep(policy: TicketPolicyInput): Promise<void> {
      const id = policy.standardVersionId;
      if (known.has(id)) return;
      // Already there (another process stored it first): the same version, so the same policy.
      await insertOnce(model, { _id: id, policy });
      known.set(id, Promise.resolve(policy));
    },

    /** The policy of a standard version a stored ticket names. */
    of(standardVersionId: string): Promise<TicketPolicyInput> {
      let found = known.get(standardVersionId);
      if (!found) {
        found = model
          .findById(standardVersionId)
          .lean<TicketPolicyDoc>()
          .then((doc) => {
            if (!doc) throw new Error(`no ticket policy is stored for standard version ${standardVersionId}`);
            return doc.policy;
          });
        known.set(standardVersionId, found);
        found.catch(() => known.delete(standardVersionId));
      }
      return found;
    },
  };
}
