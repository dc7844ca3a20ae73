import { appendFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { asInt, env, loadPlatformConfig, servicePort, SERVICE_PORT_OFFSETS } from '@starline/common';
import { ferretDbCommand, ferretDbReady, temporalCommand, temporalReady } from './backends.ts';
import { freePort, httpOk, launch, portOpen, waitFor } from './processes.ts';
import { supervise, type Supervised } from './supervise.ts';
import { ROOT } from './tools.ts';

export interface StackOptions {
  /** Where FerretDB and Temporal keep their data, and where logs go. */
  dataDir: string;
  portBase: number;
  mongoPort: number;
  temporalPort: number;
  /** The Temporal Web UI's port; undefined = headless (tests and benchmarks). */
  temporalUiPort?: number;
  /** Extra environment for every platform process. */
  env?: NodeJS.ProcessEnv;
  say?: (line: string) => void;
}

export interface Stack {
  gatewayUrl: string;
  mongodbUri: string;
  temporalAddress: string;
  /** http://127.0.0.1:<port> of the Temporal Web UI, when it is on. */
  temporalUiUrl: string | undefined;
  logDir: string;
  stop(): Promise<void>;
  /**
   * For crash tests: kill -9 one process (a service name, `workflows`, `gateway`, `ferretdb` or
   * `temporal`), with no chance to finish what it was doing. It is marked stopped, so the launcher
   * does not restart it behind the test's back. Resolves once it exited.
   */
  kill(name: string): Promise<void>;
  /** Starts a killed process again, the same way and with the same environment; resolves once it is ready. */
  restart(name: string): Promise<void>;
  /** kill -9 as an outside crash would: the launcher notices and restarts it with backoff. */
  crash(name: string): Promise<void>;
  /** Signals a process group, e.g. SIGSTOP to hang it and SIGCONT to resume it. */
  signal(name: string, signal: NodeJS.Signals): void;
  /** Supervision lines so far (restarts, crash loops), also in <logDir>/launcher.log. */
  events(): string[];
  /** The running processes by name (benchmarks read their CPU time). */
  processes(): { name: string; pid: number }[];
}

/** Every service that has an entry point, so a new subgraph joins the stack by existing. */
export function serviceNames(): string[] {
  return readdirSync(path.join(ROOT, 'services')).filter((name) =>
    existsSync(path.join(ROOT, 'services', name, 'src/main.ts')),
  );
}

async function ensurePortFree(port: number, what: string, variable: string): Promise<void> {
  if (await portOpen(port)) {
    throw new Error(
      `port ${port} for ${what} is taken: stop what listens there, or set ${variable} to use a server you run yourself`,
    );
  }
}

/**
 * Starts the whole platform: FerretDB and Temporal (unless MONGODB_URI / TEMPORAL_ADDRESS point
 * elsewhere), every subgraph with its activity worker, the workflow worker and the gateway.
 * Resolves once every process answers its readiness check.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const say = opts.say ?? (() => {});
  const logDir = path.join(opts.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const events: string[] = [];
  // Every supervision event goes to launcher.log; a crash loop is also said out loud.
  const report = (line: string, loud = false) => {
    events.push(line);
    appendFileSync(path.join(logDir, 'launcher.log'), `${new Date().toISOString()} ${line}\n`);
    say(loud ? `!!! ${line}` : line);
  };
  const backends: Supervised[] = [];
  const apps: Supervised[] = [];
  const stop = async () => {
    await Promise.all([...apps].reverse().map((p) => p.stop()));
    await Promise.all(backends.map((p) => p.stop()));
  };
  const byName = (name: string) => {
    const proc = [...apps, ...backends].find((p) => p.name === name);
    if (!proc) throw new Error(`no platform process named ${name}`);
    return proc;
  };
  try {
    let mongodbUri = process.env['MONGODB_URI'];
    let temporalAddress = process.env['TEMPORAL_ADDRESS'];
    let temporalUiUrl: string | undefined;
    const pending: Promise<void>[] = [];
    if (!mongodbUri) {
      await ensurePortFree(opts.mongoPort, 'FerretDB', 'MONGODB_URI');
      const spawn = ferretDbCommand({ dataDir: opts.dataDir, port: opts.mongoPort, logDir });
      const ferret = supervise({ name: 'ferretdb', spawn, ready: ferretDbReady(opts.mongoPort), report });
      backends.push(ferret);
      pending.push(ferret.start().then(() => void (mongodbUri = `mongodb://127.0.0.1:${opts.mongoPort}/`)));
    }
    if (!temporalAddress) {
      await ensurePortFree(opts.temporalPort, 'Temporal', 'TEMPORAL_ADDRESS');
      if (opts.temporalUiPort)
        await ensurePortFree(opts.temporalUiPort, 'the Temporal UI', 'STARLINE_TEMPORAL_UI_PORT');
      const ports = {
        port: opts.temporalPort,
        httpPort: await freePort(),
        metricsPort: await freePort(),
        uiPort: opts.temporalUiPort,
      };
      const spawn = temporalCommand({ dataDir: opts.dataDir, logDir, ...ports });
      const temporal = supervise({ name: 'temporal', spawn, ready: temporalReady(opts.temporalPort), report });
      backends.push(temporal);
      pending.push(
        temporal.start().then(() => {
          temporalAddress = `127.0.0.1:${opts.temporalPort}`;
          if (opts.temporalUiPort) temporalUiUrl = `http://127.0.0.1:${opts.temporalUiPort}`;
        }),
      );
    }
    await Promise.all(pending);
    say(`MongoDB wire: ${mongodbUri}   Temporal: ${temporalAddress}`);

    const cfg = { portBase: opts.portBase };
    const appEnv = {
      ...opts.env,
      MONGODB_URI: mongodbUri,
      TEMPORAL_ADDRESS: temporalAddress,
      STARLINE_PORT_BASE: String(opts.portBase),
    };
    const node = process.execPath;
    const start = async (name: string, script: string, port: number, probe: string) => {
      const proc = supervise({
        name,
        spawn: () => launch(name, node, [path.join(ROOT, script)], { env: appEnv, logDir, cwd: ROOT }),
        // Generous: on two busy cores seven Node processes load at once.
        ready: (p) =>
          waitFor(name, () => httpOk(`http://127.0.0.1:${port}${probe}`), { process: p, timeoutMs: 180_000 }),
        report,
      });
      apps.push(proc);
      await proc.start();
    };
    const services = serviceNames();
    for (const name of services) {
      if (!(name in SERVICE_PORT_OFFSETS)) throw new Error(`services/${name} has no port in SERVICE_PORT_OFFSETS`);
    }
    await Promise.all([
      ...services.map((name) =>
        start(
          name,
          `services/${name}/src/main.ts`,
          servicePort(cfg, name as keyof typeof SERVICE_PORT_OFFSETS),
          '/ready',
        ),
      ),
      start('workflows', 'workflows/src/worker.ts', servicePort(cfg, 'workflows'), '/ready'),
    ]);
    const gatewayPort = servicePort(cfg, 'gateway');
    await start('gateway', 'gateway/src/main.ts', gatewayPort, '/health');
    const kill = (name: string) => byName(name).kill();
    const restart = async (name: string) => {
      const proc = byName(name);
      if (proc.wanted) throw new Error(`${name} is still running: kill it first`);
      await proc.start();
    };
    const crash = (name: string) => byName(name).crash();
    const signal = (name: string, sig: NodeJS.Signals) => byName(name).signal(sig);
    const processes = () =>
      [...backends, ...apps]
        .filter((p) => p.current?.child.pid !== undefined)
        .map((p) => ({ name: p.name, pid: p.current.child.pid! }));
    return {
      gatewayUrl: `http://localhost:${gatewayPort}/graphql`,
      mongodbUri: mongodbUri!,
      temporalAddress: temporalAddress!,
      temporalUiUrl,
      logDir,
      stop,
      kill,
      restart,
      crash,
      signal,
      events: () => [...events],
      processes,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const began = Date.now();
  const say = (line: string) => console.log(`[starline] ${line}`);
  const cfg = loadPlatformConfig();
  const dataDir = path.resolve(env('STARLINE_DATA_DIR', path.join(ROOT, '.data')));
  try {
    const stack = await startStack({
      dataDir,
      portBase: cfg.portBase,
      mongoPort: env('STARLINE_MONGO_PORT', 27017, asInt(1024, 65535)),
      temporalPort: env('STARLINE_TEMPORAL_PORT', 7233, asInt(1024, 65535)),
      // 0 turns the Web UI off.
      temporalUiPort: env('STARLINE_TEMPORAL_UI_PORT', 8233, asInt(0, 65535)) || undefined,
      say,
    });
    say(`up in ${((Date.now() - began) / 1000).toFixed(1)} s; logs in ${stack.logDir}`);
    say(`gateway: ${stack.gatewayUrl}   (mint a token: ./starline token ADMIN)`);
    if (stack.temporalUiUrl) say(`Temporal UI: ${stack.temporalUiUrl}`);
    say('metrics: /metrics on every process (gateway and subgraphs on their port, the workflow worker on base + 100)');
    let stopping = false;
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      say('stopping…');
      await stack.stop();
      say('stopped');
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown());
    process.on('SIGTERM', () => void shutdown());
  } catch (error) {
    console.error(`[starline] could not start: ${(error as Error).message}`);
    console.error(`[starline] logs: ${path.join(dataDir, 'logs')}`);
    process.exit(1);
  }
}
