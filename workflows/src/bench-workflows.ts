/**
 * The workflow bundle of a benchmark stack: the platform's workflows and the benchmarks' own. The
 * workflow worker bundles this file instead of workflows.ts when STARLINE_BENCH_WORKFLOWS=true
 * (worker.ts), which `./starline bench:tickets` sets; production refuses the flag.
 */
export * from './workflows.ts';
export { benchNoop } from './bench-noop.ts';
