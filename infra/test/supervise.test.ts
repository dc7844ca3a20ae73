/** The launcher's supervision on a stand-in process: restarted after a crash, never after a kill on purpose. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launch } from '../src/processes.ts';
import { supervise } from '../src/supervise.ts';

const logDir = mkdtempSync(path.join(tmpdir(), 'starline-supervise-'));
afterAll(() => rmSync(logDir, { recursive: true, force: true }));

const until = async (what: string, check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

function standIn(exitCode?: number) {
  const lines: { line: string; loud: boolean }[] = [];
  const script =
    exitCode === undefined ? 'setInterval(() => {}, 1e6)' : `setTimeout(() => process.exit(${exitCode}), 50)`;
  const proc = supervise({
    name: 'stand-in',
    spawn: () => launch('stand-in', process.execPath, ['-e', script], { logDir }),
    ready: async () => undefined,
    report: (line, loud = false) => lines.push({ line, loud }),
    initialDelayMs: 50,
    maxDelayMs: 200,
    loudAfter: 3,
  });
  return { proc, lines };
}

describe('supervise', () => {
  it('restarts a process that died, reporting how it ended', async () => {
    const { proc, lines } = standIn();
    await proc.start();
    const first = proc.current.child.pid;
    await proc.crash();
    await until('restarted', () => lines.some((l) => l.line === 'stand-in restarted and ready'));
    expect(lines[0]!.line).toBe('stand-in died (signal SIGKILL); restarting in 0.1 s');
    expect(proc.current.child.pid).not.toBe(first);
    await proc.stop();
  });

  it('does not restart a process killed or stopped on purpose, until started again', async () => {
    const { proc, lines } = standIn();
    await proc.start();
    await proc.kill();
    await new Promise((r) => setTimeout(r, 300));
    expect(lines).toEqual([]);
    expect(proc.wanted).toBe(false);
    await proc.start();
    expect(proc.current.child.exitCode).toBeNull();
    await proc.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(lines).toEqual([]);
  });

  it('reports a crash loop loudly, with growing delays', async () => {
    const { proc, lines } = standIn(3);
    await proc.start();
    await until('a crash loop', () => lines.some((l) => l.loud));
    await proc.stop();
    expect(
      lines
        .filter((l) => l.line.includes('died'))
        .map((l) => l.line)
        .slice(0, 3),
    ).toEqual([
      'stand-in died (exit code 3); restarting in 0.1 s', // 50 ms, shown rounded
      'stand-in died (exit code 3); restarting in 0.1 s',
      'stand-in died (exit code 3); restarting in 0.2 s',
    ]);
    expect(lines.find((l) => l.loud)!.line).toMatch(/^stand-in has crashed 3 times/);
  });
});
