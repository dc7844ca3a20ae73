import type { Connection, Model } from 'mongoose';
import { isDuplicateKey } from '@starline/common';
import type { OpenedComplaint } from '../effects.ts';
import { complaintModel } from './models.ts';

/** Inserts a document unless its `_id` exists: the deterministic `_id` is the exactly-once. */
export async function insertOnce<T>(model: Model<T>, doc: T): Promise<boolean> {
  try {
    await model.create(doc);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/**
 * Callback-opened complaints: inserted once by their deterministic id. (KPI facts are counted in
 * `kpi_months`, store/kpi-months.ts, their only store: the insert-only `kpi_facts` documents were
 * removed, as they could only be totalled by a scan and nothing else read them.)
 */
export function createFactsStore(conn: Connection) {
  const complaints = complaintModel(conn);

  return {
    models: [complaints] as const,

    /**
     * Opens the callback's complaint unless it is open already; true when this call opened it. (Its later changes:
     * store/complaints.ts.)
     */
    openComplaint({ id, ...complaint }: OpenedComplaint): Promise<boolean> {
      return insertOnce(complaints, { _id: id, ...complaint });
    },
  };
}
