import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { inject } from 'vitest';
import '../../test/setup/provided.ts';
import { connectDatabase } from '../src/mongo.ts';
import { createLogger } from '../src/log.ts';
import type { Claims } from '../src/auth.ts';
import type { RequestContext } from '../src/subgraph.ts';

/** A database of its own for one integration test file, on the FerretDB the setup started. */
export async function testDatabase(prefix: string): Promise<Connection> {
  return connectDatabase(inject('mongodbUri'), `${prefix}_${randomUUID().slice(0, 8)}`);
}

const silent = createLogger('test', 'silent');

/** A resolver context as the gateway would vouch for it. */
export function contextAs(claims: Claims | null): RequestContext {
  return { claims, requestId: randomUUID(), log: silent };
}

export const as = {
  admin: (): Claims => ({ sub: 'admin-1', roles: ['ADMIN'] }),
  operator: (): Claims => ({ sub: 'operator-1', roles: ['OPERATOR'] }),
  callCentre: (): Claims => ({ sub: 'agent-1', roles: ['CALL_CENTRE'] }),
  finance: (): Claims => ({ sub: 'finance-1', roles: ['FINANCE'] }),
  partner: (centreId = 'centre-1'): Claims => ({ sub: `partner-${centreId}`, roles: ['PARTNER'], centreId }),
  engineer: (engineerId = 'engineer-1'): Claims => ({ sub: `eng-${engineerId}`, roles: ['ENGINEER'], engineerId }),
};
