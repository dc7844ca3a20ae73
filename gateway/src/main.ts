/**
 * The gateway process: `node gateway/src/main.ts`. Configuration comes from the environment
 * (common/src/config.ts, the GATEWAY_* limits of limits.ts, SUBGRAPH_URL_<NAME>); a bad value
 * stops it at start-up with a message naming the variable.
 */
import { ConfigError, createLogger, loadPlatformConfig } from '@starline/common';
import { startGateway, type RunningGateway } from './gateway.ts';
import { loadLimits } from './limits.ts';

const log = createLogger('gateway');

let gateway: RunningGateway;
try {
  gateway = await startGateway(loadPlatformConfig(), { limits: loadLimits(), log });
} catch (e) {
  if (e instanceof ConfigError) log.fatal(`configuration: ${e.message}`);
  else log.fatal({ err: e }, 'gateway failed to start');
  process.exit(e instanceof ConfigError ? 2 : 1);
}

// Graceful: stop accepting, let in-flight requests finish (at most 5 s), then exit.
const stop = (signal: string) => {
  log.info({ signal }, 'shutting down');
  gateway.close().then(
    () => process.exit(0),
    (err: unknown) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
