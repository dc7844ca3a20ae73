import type { Managed } from './processes.ts';

/** A process the launcher keeps running: restarted with backoff when it dies on its own. */
export interface Supervised {
  name: string;
  /** The process running now (a restart replaces it). */
  readonly current: Managed;
  /** Whether the supervisor wants it running (false after stop() or kill()). */
  readonly wanted: boolean;
  /** Starts it (again) and resolves once it is ready; the supervisor restarts it from then on. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s; never restarted. */
  stop(): Promise<void>;
  /** kill -9, on purpose (a crash test): marked stopped, never restarted until start(). */
  kill(): Promise<void>;
  /** kill -9 as an outside crash would: the supervisor restarts it. Resolves once it exited. */
  crash(): Promise<void>;
  /** Sends a signal to its process group (SIGSTOP / SIGCONT to hang and resume it). */
  signal(signal: NodeJS.Signals): void;
}

export interface SuperviseOptions {
  name: string;
  spawn: () => Managed;
  /** Resolves once a fresh process is ready; rejects if it exits or never gets there. */
  ready: (proc: Managed) => Promise<void>;
  /** Where restarts and crash loops are reported. */
  report: (line: string, loud?: boolean) => void;
  /** First restart delay, doubled per crash within `windowMs`, up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  windowMs?: number;
  /** This many crashes within windowMs is a crash loop, reported loudly. */
  loudAfter?: number;
}

/**
 * Keeps one process running, once start() is called: when it exits without being asked to, its exit code is reported and
 * it is started again after a delay that doubles with each recent crash (1 s, 2 s, 4 s … 30 s), so
 * a process that cannot start does not spin the machine; a crash loop is reported loudly.
 */
export function supervise(opts: SuperviseOptions): Supervised {
  const { name, report } = opts;
  const initial = opts.initialDelayMs ?? 1_000;
  const max = opts.maxDelayMs ?? 30_000;
  const windowMs = opts.windowMs ?? 120_000;
  const loudAfter = opts.loudAfter ?? 3;
  let current: Managed | undefined;
  let wanted = false;
  let timer: NodeJS.Timeout | undefined;
  const crashes: number[] = [];

  const watch = (proc: Managed) => {
    proc.child.once('exit', (code, signal) => {
      if (!wanted || proc !== current) return;
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && crashes[0]! < now - windowMs) crashes.shift();
      const delay = Math.min(max, initial * 2 ** (crashes.length - 1));
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      report(`${name} died (${how}); restarting in ${(delay / 1000).toFixed(1)} s`);
      if (crashes.length >= loudAfter) {
        report(
          `${name} has crashed ${crashes.length} times in ${Math.round(windowMs / 1000)} s: see its log; still restarting with backoff`,
          true,
        );
      }
      timer = setTimeout(() => {
        timer = undefined;
        if (!wanted) return;
        const fresh = launch();
        opts.ready(fresh).then(
          () => fresh === current && report(`${name} restarted and ready`),
          (error: Error) => fresh === current && report(`${name} restarted but not ready: ${error.message}`),
        );
      }, delay);
    });
  };
  const launch = () => {
    const proc = opts.spawn();
    current = proc;
    watch(proc);
    return proc;
  };
  const halt = () => {
    wanted = false;
    if (timer) clearTimeout(timer);
    timer = undefined;
  };

  const supervised: Supervised = {
    name,
    get current() {
      return current!;
    },
    get wanted() {
      return wanted;
    },
    async start() {
      if (wanted) throw new Error(`${name} is already running`);
      wanted = true;
      try {
        await opts.ready(launch());
      } catch (error) {
        halt();
        await current?.stop();
        throw error;
      }
    },
    async stop() {
      halt();
      await current?.stop();
    },
    async kill() {
      halt();
      await current?.kill();
    },
    async crash() {
      const proc = current!;
      await proc.kill();
    },
    signal(signal) {
      try {
        process.kill(-current!.child.pid!, signal);
      } catch {
        /* already gone */
      }
    },
  };
  return supervised;
}
