import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../src/token.ts', import.meta.url));

/** The claims of a token `./starline token …` mints (its payload, unverified: only its shape is tested here). */
function mint(...args: string[]): Record<string, unknown> {
  const token = execFileSync(process.execPath, [script, ...args], { encoding: 'utf8' }).trim();
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('./starline token', () => {
  it('gives each partner, engineer and role a subject of its own, as production identities have', () => {
    expect(mint('PARTNER', '--centre', 'C-0001')).toMatchObject({
      sub: 'partner:C-0001',
      roles: ['PARTNER'],
      centreId: 'C-0001',
    });
    expect(mint('PARTNER', '--centre', 'C-0002').sub).toBe('partner:C-0002');
    expect(mint('ENGINEER', '--engineer', 'E-7', '--centre', 'C-0001')).toMatchObject({
      sub: 'engineer:E-7',
      engineerId: 'E-7',
      centreId: 'C-0001',
    });
    expect(mint('ADMIN').sub).toBe('admin');
    expect(mint('CALL_CENTRE').sub).toBe('call_centre');
  });

  it('keeps a subject given with --sub', () => {
    expect(mint('PARTNER', '--centre', 'C-0001', '--sub', 'dealer-group-erp').sub).toBe('dealer-group-erp');
  });
});
