import { ROLES, isRole, loadPlatformConfig, mintToken, type Claims } from '@starline/common';

/**
 * Mints a development token signed with JWT_SECRET (local default), for curl and tests:
 *   ./starline token ADMIN
 *   ./starline token PARTNER --centre C-0001
 *   ./starline token ENGINEER --engineer E-000123 [--centre C-0001]
 *   ./starline token OPERATOR --sub alice --expires 1h
 */
const usage = `usage: ./starline token ROLE[,ROLE…] [--sub ID] [--centre CENTRE_ID] [--engineer ENGINEER_ID] [--expires 8h]
roles: ${ROLES.join(', ')}`;

/**
 * Distinct subjects by default, as production identities have: `partner:C-0001`, `engineer:E-000123`,
 * `admin`. Replays are scoped by subject, role and centre, so shared subjects would hide mistakes.
 */
function defaultSubject(roles: string[], flags: Map<string, string>): string {
  const role = roles[0]!.toLowerCase();
  if (roles.includes('ENGINEER')) return `engineer:${flags.get('engineer')}`;
  if (roles.includes('PARTNER')) return `partner:${flags.get('centre')}`;
  return role;
}

function parse(argv: string[]): { claims: Claims; expires: string } {
  const [roleArg, ...rest] = argv;
  const roles = (roleArg ?? '').split(',').filter(Boolean);
  if (roles.length === 0 || !roles.every(isRole)) throw new Error(usage);
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const key = rest[i];
    const value = rest[i + 1];
    if (!key?.startsWith('--') || value === undefined) throw new Error(usage);
    flags.set(key.slice(2), value);
  }
  const claims: Claims = { sub: flags.get('sub') ?? defaultSubject(roles, flags), roles };
  if (flags.has('centre')) claims.centreId = flags.get('centre')!;
  if (flags.has('engineer')) claims.engineerId = flags.get('engineer')!;
  if (roles.includes('PARTNER') && !claims.centreId) throw new Error('a PARTNER token needs --centre');
  if (roles.includes('ENGINEER') && !claims.engineerId) throw new Error('an ENGINEER token needs --engineer');
  return { claims, expires: flags.get('expires') ?? '8h' };
}

try {
  const { claims, expires } = parse(process.argv.slice(2));
  console.log(await mintToken(claims, loadPlatformConfig().jwtSecret, expires));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
