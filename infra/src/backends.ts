import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort, launch, portOpen, waitFor, type Managed } from './processes.ts';
import { toolPaths } from './tools.ts';

/** FerretDB v1 on SQLite: the MongoDB wire protocol for the local stack and the tests. */
export async function startFerretDb(opts: { dataDir: string; port: number; logDir: string }): Promise<{ process: Managed; uri: string }> {
  const dir = path.join(opts.dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true });
  const proc = launch('ferretdb', toolPaths().ferretdb, [
    '--handler=sqlite',
    // FerretDB already writes ahead (WAL); syncing it at checkpoints, not at every commit, is as
    // safe against a killed process and spares most fsyncs.
    `--sqlite-url=file:${dir}/?_pragma=synchronous(normal)`,
    `--listen-addr=127.0.0.1:${opts.port}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--state-dir=-',
    '--log-level=warn',
  ], { logDir: opts.logDir });
  await waitFor('FerretDB', () => portOpen(opts.port), { process: proc, timeoutMs: 30_000 });
  return { process: proc, uri: `mongodb://127.0.0.1:${opts.port}/` };
}

/**
 * The Temporal dev server, persisting to a SQLite file so workflows survive a restart. Without a
 * fixed `port` it takes free ports and, if another server grabs one first (tests start several at
 * once), tries again on new ones.
 */
export async function startTemporal(opts: { dataDir: string; port?: number; logDir: string }): Promise<{ process: Managed; address: string }> {
  mkdirSync(opts.dataDir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const args = [
      'server', 'start-dev',
      '--headless',
      '--ip', '127.0.0.1',
      '--port', String(port),
      '--http-port', String(await freePort()),
      '--metrics-port', String(await freePort()),
      '--db-filename', path.join(opts.dataDir, 'temporal.sqlite'),
      // A write-ahead log, synced at checkpoints rather than at every commit: as safe against a
      // killed process, a fraction of the fsyncs (SQLite's default journal syncs each commit twice).
      '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal',
      '--log-level', 'warn',
    ];
    const proc = launch('temporal', toolPaths().temporal, args, { logDir: opts.logDir });
    try {
      await waitFor('Temporal', () => portOpen(port), { process: proc, timeoutMs: 60_000 });
      return { process: proc, address: `127.0.0.1:${port}` };
    } catch (error) {
      await proc.stop();
      if (opts.port !== undefined || attempt >= 3) throw error;
    }
  }
}
