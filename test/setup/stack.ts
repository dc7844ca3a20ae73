import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided.ts';
import { DEV_JWT_SECRET, DEV_SIGNING_SECRET } from '@starline/common';
import { startStack } from '../../infra/src/stack.ts';
import { freeStackPorts } from '../../infra/src/processes.ts';

/** The whole platform, started by the project's own launcher, as a client would meet it. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'starline-e2e-'));
  const ports = await freeStackPorts();
  const { portBase } = ports;
  const stack = await startStack({
    dataDir: dir,
    ...ports,
    // A short cache of the standard in force, so a publication in one test is seen by the next request.
    env: {
      LOG_LEVEL: 'warn',
      JWT_SECRET: DEV_JWT_SECRET,
      GATEWAY_SIGNING_SECRET: DEV_SIGNING_SECRET,
      STANDARD_CACHE_TTL_MS: '200',
    },
  }).catch((error: Error) => {
    throw new Error(`${error.message} (logs in ${path.join(dir, 'logs')})`);
  });
  project.provide('gatewayUrl', stack.gatewayUrl);
  project.provide('portBase', portBase);
  project.provide('jwtSecret', DEV_JWT_SECRET);
  project.provide('signingSecret', DEV_SIGNING_SECRET);
  project.provide('temporalAddress', stack.temporalAddress);
  return async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
