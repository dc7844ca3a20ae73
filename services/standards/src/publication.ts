import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TASK_QUEUES } from '@starline/common';
import { SYSTEM_ACTOR, type StandardStore } from './store/standards.ts';

/**
 * How a SCHEDULED version gets put in force at its instant. The resolvers only see this port;
 * main.ts plugs in Temporal, tests plug in a recorder.
 */
export interface PublicationScheduler {
  schedulePublication(versionId: string, effectiveFrom: Date, requestedBy: string): Promise<void>;
  cancelPublication(versionId: string): Promise<void>;
}

/** Written by workflows/ (publishStandardAtEffectiveDate); named here only by its type string. */
export const PUBLICATION_WORKFLOW_TYPE = 'publishStandardAtEffectiveDate';

/** One workflow per version, so a retried request can never schedule the same version twice. */
export const publicationWorkflowId = (versionId: string): string => `standard-publication-${versionId}`;

export function temporalPublicationScheduler(client: Client): PublicationScheduler {
  return {
    async schedulePublication(versionId, effectiveFrom, requestedBy) {
      await client.workflow.start(PUBLICATION_WORKFLOW_TYPE, {
        workflowId: publicationWorkflowId(versionId),
        taskQueue: TASK_QUEUES.workflows,
        args: [{ versionId, effectiveFrom: effectiveFrom.toISOString(), requestedBy }],
        // A still-running workflow for this id belongs to a publication that was cancelled while
        // Temporal was unreachable; the version's status is the truth, so the new one replaces it.
        workflowIdConflictPolicy: 'TERMINATE_EXISTING',
      });
    },
    async cancelPublication(versionId) {
      try {
        await client.workflow.getHandle(publicationWorkflowId(versionId)).cancel();
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },
  };
}

/**
 * Makes sure every SCHEDULED version has its workflow, e.g. after the process died between
 * scheduling a version and starting the workflow. Starting replaces any running one, so this is
 * safe to repeat at every start. Returns the ids it (re)scheduled.
 */
export async function resumeScheduledPublications(
  store: StandardStore,
  scheduler: PublicationScheduler,
): Promise<string[]> {
  const resumed: string[] = [];
  for (const entry of await store.timeline()) {
    if (entry.status !== 'SCHEDULED') continue;
    const version = await store.findById(entry.id);
    if (version?.status !== 'SCHEDULED' || !version.effectiveFrom) continue;
    const requestedBy = version.history.findLast((h) => h.action === 'SCHEDULED')?.actor ?? SYSTEM_ACTOR;
    await scheduler.schedulePublication(version.id, version.effectiveFrom, requestedBy);
    resumed.push(version.id);
  }
  return resumed;
}
