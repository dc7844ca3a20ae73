import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort, launch, portOpen, waitFor, type Managed } from './processes.ts';
import { toolPaths } from './tools.ts';

/** How to run FerretDB v1 on SQLite (the MongoDB wire protocol of the local stack and the tests). */
export function ferretDbCommand(opts: { dataDir: string; port: number; logDir: string }): () => Managed {
  const dir = path.join(opts.dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true });
  return () =>
    launch(
      'ferretdb',
      toolPaths().ferretdb,
      [
        '--handler=sqlite',
        // FerretDB already writes ahead (WAL); syncing it at checkpoints, not at every commit, is as
        // safe against a killed process and spares most fsyncs.
        `--sqlite-url=file:${dir}/?_pragma=synchronous(normal)`,
        `--listen-addr=127.0.0.1:${opts.port}`,
        '--telemetry=disable',
        '--debug-addr=-',
        '--state-dir=-',
        '--log-level=warn',
      ],
      { logDir: opts.logDir },
    );
}

export const ferretDbReady = (port: number) => (proc: Managed) =>
  waitFor('FerretDB', () => portOpen(port), { process: proc, timeoutMs: 30_000 });

/** FerretDB, started and listening. */
export async function startFerretDb(opts: {
  dataDir: string;
  port: number;
  logDir: string;
}): Promise<{ process: Managed; uri: string }> {
  const proc = ferretDbCommand(opts)();
  await ferretDbReady(opts.port)(proc);
  return { process: proc, uri: `mongodb://127.0.0.1:${opts.port}/` };
}

export interface TemporalPorts {
  port: number;
  httpPort: number;
  metricsPort: number;
  /** The built-in Web UI (served from the binary, nothing downloaded); undefined = headless. */
  uiPort?: number;
}

/** How to run the Temporal dev server, persisting to a SQLite file so workflows survive a restart. */
export function temporalCommand(opts: { dataDir: string; logDir: string } & TemporalPorts): () => Managed {
  mkdirSync(opts.dataDir, { recursive: true });
  const ui = opts.uiPort
    ? ['--ui-port', String(opts.uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch']
    : ['--headless'];
  const args = [
    'server',
    'start-dev',
    ...ui,
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--http-port',
    String(opts.httpPort),
    '--metrics-port',
    String(opts.metricsPort),
    '--db-filename',
    path.join(opts.dataDir, 'temporal.sqlite'),
    // A write-ahead log, synced at checkpoints rather than at every commit: as safe against a
    // killed process, a fraction of the fsyncs (SQLite's default journal syncs each commit twice).
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--log-level',
    'warn',
  ];
  return () => launch('temporal', toolPaths().temporal, args, { logDir: opts.logDir });
}

export const temporalReady = (port: number) => (proc: Managed) =>
  waitFor('Temporal', () => portOpen(port), { process: proc, timeoutMs: 60_000 });

/**
 * The Temporal dev server, headless unless `uiPort` is given. Without a fixed `port` it takes free
 * ports and, if another server grabs one first (tests start several at once), tries again on new ones.
 */
export async function startTemporal(opts: {
  dataDir: string;
  port?: number;
  uiPort?: number;
  logDir: string;
}): Promise<{ process: Managed; address: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const proc = temporalCommand({ ...opts, port, httpPort: await freePort(), metricsPort: await freePort() })();
    try {
      await temporalReady(port)(proc);
      return { process: proc, address: `127.0.0.1:${port}` };
    } catch (error) {
      await proc.stop();
      if (opts.port !== undefined || attempt >= 3) throw error;
    }
  }
}
