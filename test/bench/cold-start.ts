/**
 * Cold start of the whole local stack, tools already installed: runs `./starline start` on a
 * fresh data folder, times it until the gateway answers, stops it with SIGINT (as Ctrl-C would),
 * then starts it again on the same data (a restart) and times that too.
 *   node test/bench/cold-start.ts        (or ./starline bench:start)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../../infra/src/tools.ts';
import { httpOk, waitFor } from '../../infra/src/processes.ts';

const portBase = 31_000;
const dataDir = mkdtempSync(path.join(tmpdir(), 'starline-coldstart-'));

async function timedStart(label: string): Promise<number> {
  const began = performance.now();
  const child = spawn(path.join(ROOT, 'starline'), ['start'], {
    env: {
      ...process.env,
      STARLINE_DATA_DIR: dataDir,
      STARLINE_PORT_BASE: String(portBase),
      STARLINE_MONGO_PORT: '31917',
      STARLINE_TEMPORAL_PORT: '31933',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  await waitFor(label, () => httpOk(`http://127.0.0.1:${portBase}/health`), { timeoutMs: 120_000 });
  const seconds = (performance.now() - began) / 1000;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const code = await exited;
  if (code !== 0) throw new Error(`${label}: launcher exited with ${code}\n${output}`);
  return seconds;
}

try {
  const first = await timedStart('first start (empty data folder)');
  const second = await timedStart('restart (same data folder)');
  console.log(`first start on an empty data folder: ${first.toFixed(1)} s`);
  console.log(`restart on the same data:            ${second.toFixed(1)} s   (target < 20 s)`);
  console.log(JSON.stringify({ firstStartSeconds: +first.toFixed(2), restartSeconds: +second.toFixed(2) }));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
