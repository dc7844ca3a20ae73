import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { asInt, env, loadPlatformConfig, servicePort, SERVICE_PORT_OFFSETS } from '@starline/common';
import { startFerretDb, startTemporal } from './backends.ts';
import { httpOk, launch, portOpen, waitFor, type Managed } from './processes.ts';
import { ROOT } from './tools.ts';

export interface StackOptions {
  /** Where FerretDB and Temporal keep their data, and where logs go. */
  dataDir: string;
  portBase: number;
  mongoPort: number;
  temporalPort: number;
  /** Extra environment for every platform process. */
  env?: NodeJS.ProcessEnv;
  say?: (line: string) => void;
}

export interface Stack {
  gatewayUrl: string;
  mongodbUri: string;
  temporalAddress: string;
  logDir: string;
  stop(): Promise<void>;
  /**
   * For crash tests: kill -9 one platform process (a service name, `workflows` or `gateway`),
   * with no chance to finish what it was doing. Resolves once it exited.
   */
  kill(name: string): Promise<void>;
  /** Starts a killed process again, the same way and with the same environment; resolves once it is ready. */
  restart(name: string): Promise<void>;
  /** The running processes by name (benchmarks read their CPU time). */
  processes(): { name: string; pid: number }[];
}

/** Every service that has an entry point, so a new subgraph joins the stack by existing. */
export function serviceNames(): string[] {
  return readdirSync(path.join(ROOT, 'services')).filter((name) => existsSync(path.join(ROOT, 'services', name, 'src/main.ts')));
}

async function ensurePortFree(port: number, what: string, variable: string): Promise<void> {
  if (await portOpen(port)) {
    throw new Error(`port ${port} for ${what} is taken: stop what listens there, or set ${variable} to use a server you run yourself`);
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
  const backends: Managed[] = [];
  const apps: Managed[] = [];
  /** How each platform process was started, by name, so a killed one can be started again. */
  const starters = new Map<string, () => Promise<void>>();
  const stop = async () => {
    await Promise.all([...apps].reverse().map((p) => p.stop()));
    await Promise.all(backends.map((p) => p.stop()));
  };
  const running = (name: string) => {
    const proc = apps.findLast((p) => p.name === name);
    if (!proc) throw new Error(`no platform process named ${name}`);
    return proc;
  };
  try {
    let mongodbUri = process.env['MONGODB_URI'];
    let temporalAddress = process.env['TEMPORAL_ADDRESS'];
    const pending: Promise<void>[] = [];
    if (!mongodbUri) {
      await ensurePortFree(opts.mongoPort, 'FerretDB', 'MONGODB_URI');
      pending.push(startFerretDb({ dataDir: opts.dataDir, port: opts.mongoPort, logDir }).then((f) => {
        backends.push(f.process);
        mongodbUri = f.uri;
      }));
    }
    if (!temporalAddress) {
      await ensurePortFree(opts.temporalPort, 'Temporal', 'TEMPORAL_ADDRESS');
      pending.push(startTemporal({ dataDir: opts.dataDir, port: opts.temporalPort, logDir }).then((t) => {
        backends.push(t.process);
        temporalAddress = t.address;
      }));
    }
    await Promise.all(pending);
    say(`MongoDB wire: ${mongodbUri}   Temporal: ${temporalAddress}`);

    const cfg = { portBase: opts.portBase };
    const appEnv = { ...opts.env, MONGODB_URI: mongodbUri, TEMPORAL_ADDRESS: temporalAddress, STARLINE_PORT_BASE: String(opts.portBase) };
    const node = process.execPath;
    const start = (name: string, script: string, port: number, probe: string) => {
      starters.set(name, () => start(name, script, port, probe));
      const proc = launch(name, node, [path.join(ROOT, script)], { env: appEnv, logDir, cwd: ROOT });
      apps.push(proc);
      // Generous: on two busy cores seven Node processes load at once.
      return waitFor(name, () => httpOk(`http://127.0.0.1:${port}${probe}`), { process: proc, timeoutMs: 180_000 });
    };
    const services = serviceNames();
    for (const name of services) {
      if (!(name in SERVICE_PORT_OFFSETS)) throw new Error(`services/${name} has no port in SERVICE_PORT_OFFSETS`);
    }
    await Promise.all([
      ...services.map((name) =>
        start(name, `services/${name}/src/main.ts`, servicePort(cfg, name as keyof typeof SERVICE_PORT_OFFSETS), '/ready'),
      ),
      start('workflows', 'workflows/src/worker.ts', servicePort(cfg, 'workflows'), '/ready'),
    ]);
    const gatewayPort = servicePort(cfg, 'gateway');
    await start('gateway', 'gateway/src/main.ts', gatewayPort, '/health');
    const kill = async (name: string) => {
      const proc = running(name);
      await proc.kill();
      apps.splice(apps.indexOf(proc), 1);
    };
    const restart = async (name: string) => {
      const again = starters.get(name);
      if (!again) throw new Error(`no platform process named ${name}`);
      if (apps.some((p) => p.name === name)) throw new Error(`${name} is still running: kill it first`);
      await again();
    };
    const processes = () => [...backends, ...apps].filter((p) => p.child.pid !== undefined).map((p) => ({ name: p.name, pid: p.child.pid! }));
    return { gatewayUrl: `http://localhost:${gatewayPort}/graphql`, mongodbUri: mongodbUri!, temporalAddress: temporalAddress!, logDir, stop, kill, restart, processes };
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
      say,
    });
    say(`up in ${((Date.now() - began) / 1000).toFixed(1)} s; logs in ${stack.logDir}`);
    say(`gateway: ${stack.gatewayUrl}   (mint a token: ./starline token ADMIN)`);
    let stopping = false;
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      say('stopping…');
      await stack.stop();
      say('stopped');
      process.exit(0);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  } catch (error) {
    console.error(`[starline] could not start: ${(error as Error).message}`);
    console.error(`[starline] logs: ${path.join(dataDir, 'logs')}`);
    process.exit(1);
  }
}
