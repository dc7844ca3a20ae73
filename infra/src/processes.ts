import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

/** A child process of the local stack, with its output in a log file of its own. */
export interface Managed {
  name: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** kill -9 of its whole process group, as a crash or an OOM kill would end it; resolves once it exited. */
  kill(): Promise<void>;
}

export function launch(
  name: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; logDir: string; cwd?: string },
): Managed {
  mkdirSync(opts.logDir, { recursive: true });
  const out = createWriteStream(path.join(opts.logDir, `${name}.log`), { flags: 'a' });
  // detached: its own process group, so stopping it also stops anything it started.
  const child = spawn(command, args, {
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  return {
    name,
    child,
    async kill() {
      if (gone()) return;
      group('SIGKILL');
      await exited;
    },
    async stop() {
      if (gone()) return;
      group('SIGTERM');
      group('SIGCONT'); // a stopped (SIGSTOP) process only acts on SIGTERM once resumed
      const killer = setTimeout(() => group('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` until it holds; fails with `what` and the process's exit if it dies first. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs?: number; process?: Managed } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const child = opts.process?.child;
    if (child && child.exitCode !== null)
      throw new Error(`${what}: process exited with code ${child.exitCode} (see its log)`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not ready after ${opts.timeoutMs ?? 60_000} ms`);
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return res.ok;
}

/**
 * Every fixed port of a second stack (tests, benchmarks) in one block below the kernel's ephemeral
 * range (32768+), where `freePort` would draw from: a port picked there can be taken by an outgoing
 * connection or by a Temporal server's own auto-picked ports before the stack binds it.
 * Gateway base + 0, workflow worker and subgraphs base + 100 … 105, FerretDB + 110, Temporal + 111,
 * and + 112 free for a Temporal UI (the launcher's test turns it on).
 */
export async function freeStackPorts(): Promise<{ portBase: number; mongoPort: number; temporalPort: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 10_000 + Math.floor(Math.random() * 220) * 100;
    const taken = await Promise.all([0, 100, 101, 102, 103, 104, 105, 110, 111, 112].map((o) => portOpen(base + o)));
    if (!taken.some(Boolean)) return { portBase: base, mongoPort: base + 110, temporalPort: base + 111 };
  }
  throw new Error('no free ports for a second stack');
}
