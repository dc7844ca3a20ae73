import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mintToken, DEV_JWT_SECRET } from '@starline/common';
import { ROOT } from '../../infra/src/tools.ts';
import { freePort, freePortBase, httpOk, portOpen, waitFor } from '../../infra/src/processes.ts';
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

async function start(portBase: number, mongoPort: number, temporalPort: number): Promise<ChildProcess> {
  // The README's own command, as a person or a supervisor runs it.
  const child = spawn(path.join(ROOT, 'starline'), ['start'], {
    env: {
      ...process.env,
      STARLINE_DATA_DIR: dataDir,
      STARLINE_PORT_BASE: String(portBase),
      STARLINE_MONGO_PORT: String(mongoPort),
      STARLINE_TEMPORAL_PORT: String(temporalPort),
      MONGODB_URI: '',
      TEMPORAL_ADDRESS: '',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  await waitFor('launcher', () => httpOk(`http://127.0.0.1:${portBase}/health`), { timeoutMs: 120_000 });
  return child;
}

async function interrupt(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  return exited;
}

describe('./starline start', () => {
  it('stops everything on Ctrl-C and keeps the data for the next start', async () => {
    const portBase = await freePortBase(35_000, 100);
    const [mongoPort, temporalPort] = [await freePort(), await freePort()];
    const url = `http://localhost:${portBase}/graphql`;
    const token = await mintToken({ sub: 'launcher-test', roles: ['OPERATOR'] }, DEV_JWT_SECRET);

    const first = await start(portBase, mongoPort, temporalPort);
    expect(processesOfThisStack().length).toBeGreaterThanOrEqual(6);
    const created = await gql(`mutation { createStandardDraft(input: { content: { name: "survives a restart" } }) { id } }`, {}, { token, url });
    expect(created.errors).toBeUndefined();
    const id = created.data!.createStandardDraft.id as string;

    expect(await interrupt(first)).toBe(0);
    expect(processesOfThisStack()).toEqual([]);
    for (const port of [portBase, portBase + 100, portBase + 101, mongoPort, temporalPort]) {
      expect(await portOpen(port), `port ${port}`).toBe(false);
    }

    const second = await start(portBase, mongoPort, temporalPort);
    const again = await gql(`query($id: ID!) { standardVersion(id: $id) { name status } }`, { id }, { token, url });
    expect(again.data!.standardVersion).toEqual({ name: 'survives a restart', status: 'DRAFT' });
    expect(await interrupt(second)).toBe(0);
    expect(processesOfThisStack()).toEqual([]);
    // Two full starts and stops of every process: on two cores shared with the other suites this
    // can take minutes.
  }, 240_000);
});
