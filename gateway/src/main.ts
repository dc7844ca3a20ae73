/**
 * The gateway process: `node gateway/src/main.ts`. Configuration comes from the environment
 * (common/src/config.ts plus the GATEWAY_* limits of limits.ts); a bad value stops it at start-up.
 */
import { ConfigError, createLogger, loadPlatformConfig } from '@starline/common';
import { startGateway } from './gateway.ts';
import { loadLimits } from './limits.ts';

const log = createLogger('gateway');

async function main(): Promise<void> {
  let cfg, limits;
  try {
    cfg = loadPlatformConfig();
    limits = loadLimits();
  } catch (e) {
    if (e instanceof ConfigError) {
      log.fatal(e.message);
      process.exit(2);
    }
    throw e;
  }
  const gateway = await startGateway(cfg, { limits, log });
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => (log.error({ err }, 'shutdown failed'), process.exit(1)),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'gateway failed to start');
  process.exit(1);
});
