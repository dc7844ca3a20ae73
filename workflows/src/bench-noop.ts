/**
 * The lifecycle benchmark's baseline (test/bench/ticket-lifecycle.ts): a workflow that does
 * nothing and returns at once. Started and awaited through the same Temporal server and workflow
 * worker as the ticket lifecycle, it measures what Temporal alone costs per workflow (start, one
 * workflow task, completion) on this machine, so the lifecycle's throughput can be read as a ratio
 * of it. Not used by the platform itself, so it is not in the production bundle (workflows.ts): a
 * workflow worker bundles it only with STARLINE_BENCH_WORKFLOWS=true (bench-workflows.ts).
 */
export async function benchNoop(): Promise<void> {}
