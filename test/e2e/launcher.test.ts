import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mintToken, DEV_JWT_SECRET } from '@starline/common';
import { ROOT } from '../../infra/src/tools.ts';
import { freeStackPorts, httpOk, portOpen } from '../../infra/src/processes.ts';
import { gql } from './client.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'starline-launcher-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Every process whose environment names this test's data folder: the launcher and all it started. */
function processesOfThisStack(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (environ.includes(dataDir) || cmdline.includes(dataDir)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** What the launcher printed and the end of every log it wrote: the reason a start failed. */
function whatHappened(output: string): string {
  const logDir = path.join(dataDir, 'logs');
  const tails = (existsSync(logDir) ? readdirSync(logDir) : []).map(
    (file) =>
      `--- the end of ${file}:\n${readFileSync(path.join(logDir, file), 'utf8').trim().split('\n').slice(-15).join('\n')}`,
  );
  return [`--- the launcher printed:\n${output.trim()}`, ...tails].join('\n');
}

async function start(
  portBase: number,
  mongoPort: number,
  temporalPort: number,
): Promise<ChildProcess & { output: () => string }> {
  // The README's own command, as a person or a supervisor runs it.
  const child = spawn(path.join(ROOT, 'starline'), ['start'], {
    env: {
      ...process.env,
      STARLINE_DATA_DIR: dataDir,
      STARLINE_PORT_BASE: String(portBase),
      STARLINE_MONGO_PORT: String(mongoPort),
      STARLINE_TEMPORAL_PORT: String(temporalPort),
      STARLINE_TEMPORAL_UI_PORT: String(portBase + 112),
      MONGODB_URI: '',
      TEMPORAL_ADDRESS: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  // The launcher gives each process its own readiness limit and exits when one misses it.
  const deadline = Date.now() + 240_000;
  while (!(await httpOk(`http://127.0.0.1:${portBase}/health`).catch(() => false))) {
    if (child.exitCode !== null)
      throw new Error(`the launcher exited with ${child.exitCode} before it was ready\n${whatHappened(output)}`);
    if (Date.now() > deadline) throw new Error(`the launcher was not ready after 240 s\n${whatHappened(output)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return Object.assign(child, { output: () => output });
}

/** The pid of the process running `script` for this stack. */
function pidOf(script: string): number | undefined {
  return processesOfThisStack().find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(script);
    } catch {
      return false;
    }
  });
}

async function interrupt(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  return exited;
}

describe('./starline start', () => {
  it('stops everything on Ctrl-C and keeps the data for the next start', async () => {
    const { portBase, mongoPort, temporalPort } = await freeStackPorts();
    const url = `http://localhost:${portBase}/graphql`;
    const token = await mintToken({ sub: 'launcher-test', roles: ['OPERATOR'] }, DEV_JWT_SECRET);

    const first = await start(portBase, mongoPort, temporalPort);
    expect(processesOfThisStack().length).toBeGreaterThanOrEqual(6);
    const created = await gql(
      `mutation { createStandardDraft(input: { content: { name: "survives a restart" } }) { id } }`,
      {},
      { token, url },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createStandardDraft.id as string;

    // The Temporal Web UI is on, served by the CLI itself, and its URL printed.
    expect(first.output()).toContain(`Temporal UI: http://127.0.0.1:${portBase + 112}`);
    expect(await httpOk(`http://127.0.0.1:${portBase + 112}/`)).toBe(true);

    // A process that dies is reported with how it ended and restarted.
    const victim = pidOf('services/standards/src/main.ts')!;
    process.kill(victim, 'SIGKILL');
    const deadline = Date.now() + 120_000;
    while (!first.output().includes('standards restarted and ready')) {
      if (Date.now() > deadline) throw new Error(`standards was not restarted\n${whatHappened(first.output())}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(first.output()).toContain('standards died (signal SIGKILL); restarting in 1.0 s');
    expect(pidOf('services/standards/src/main.ts')).not.toBe(victim);
    const read = await gql(`query($id: ID!) { standardVersion(id: $id) { name } }`, { id }, { token, url });
    expect(read.data!.standardVersion).toEqual({ name: 'survives a restart' });

    expect(await interrupt(first)).toBe(0);
    expect(processesOfThisStack()).toEqual([]);
    for (const port of [portBase, portBase + 100, portBase + 101, portBase + 112, mongoPort, temporalPort]) {
      expect(await portOpen(port), `port ${port}`).toBe(false);
    }

    const second = await start(portBase, mongoPort, temporalPort);
    const again = await gql(`query($id: ID!) { standardVersion(id: $id) { name status } }`, { id }, { token, url });
    expect(again.data!.standardVersion).toEqual({ name: 'survives a restart', status: 'DRAFT' });
    expect(await interrupt(second)).toBe(0);
    expect(processesOfThisStack()).toEqual([]);
    // Two full starts and stops of every process: on two cores shared with the other suites this
    // can take minutes.
  }, 600_000);
});
