import type { Reporter, RunnerTestFile } from 'vitest/node';

type Task = { type: string; mode?: string; result?: { state?: string }; tasks?: Task[] };

/** Ends the run with one plain line, `N passed, N failed, N skipped`, that any CI can read. */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const visit = (task: Task) => {
      if (task.type === 'test') {
        const state = task.result?.state;
        if (state === 'pass') counts.passed++;
        else if (state === 'fail') counts.failed++;
        else counts.skipped++;
      }
      task.tasks?.forEach(visit);
    };
    (files as unknown as Task[]).forEach(visit);
    // A file that failed to load or whose hooks failed (its tests then count as skipped), or an
    // unhandled error, fails the run even with no failed test.
    const hasFailedTest = (task: Task): boolean =>
      (task.type === 'test' && task.result?.state === 'fail') || !!task.tasks?.some(hasFailedTest);
    const fileFailures = (files as unknown as Task[]).filter(
      (f) => f.result?.state === 'fail' && !hasFailedTest(f),
    ).length;
    counts.failed += fileFailures + errors.length;
    console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
