import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided.ts';
import { startFerretDb } from '../../infra/src/backends.ts';
import { freePort } from '../../infra/src/processes.ts';

/** A real FerretDB for the integration tests, on a free port, in a throwaway folder. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'starline-int-'));
  const ferret = await startFerretDb({ dataDir: dir, port: await freePort(), logDir: path.join(dir, 'logs') });
  project.provide('mongodbUri', ferret.uri);
  return async () => {
    await ferret.process.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
