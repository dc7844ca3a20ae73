import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRole, type Claims } from '@starline/common';
import { gql, tokenFor, type GqlResponse } from './client.ts';

/**
 * docs/first-job.md, run as written: every GraphQL document of its shell blocks, with the variables
 * the blocks give it, in order, through the gateway with a token of the role the block mints —
 * intake by the call centre, the offer to the centre, accept, book, assign, check in, complete,
 * callback, quality check — until the ticket is CLOSED and payable.
 *
 * The page's blocks use a small set of shell forms, and this test knows each of them; any other line
 * fails the test, so the page cannot drift from what is run here:
 *   NAME=value                                    a value (REGION, CENTRE_CODE and ENGINEER_NUMBER
 *                                                 get values of this run, so no other suite's
 *                                                 centres are offered the job)
 *   NAME=$(./starline token ROLE [--centre "$X"] [--engineer "$Y"])
 *   NAME=$(jq -rn 'now [+|- SECONDS] [| ceil] | todate')
 *   NAME=$(answer PATH)                           a value of the last answer (jq path .a.b[0].c)
 *   curl … -H "authorization: Bearer $TOKEN" -d '{"query": …}'
 *   gql "$TOKEN" [name="$X"|name=text|name:=JSON]… <<'GRAPHQL' … GRAPHQL
 *   until gql … <<'GRAPHQL' && [ "$(answer PATH)" = VALUE ]; do sleep 1; done … GRAPHQL
 * The block defining the helpers and the one starting the platform are not run.
 */
const PAGE = readFileSync(fileURLToPath(new URL('../../docs/first-job.md', import.meta.url)), 'utf8');
const GATEWAY = 'http://localhost:4000/graphql';

const run = `${process.pid % 100000}${Date.now() % 10000}`;
const digits = run.replace(/\D/g, '');
/** This run's own district, centre code and engineer number. */
const OVERRIDES: Record<string, string> = {
  REGION: `8${digits.slice(-5).padStart(5, '0')}`,
  CENTRE_CODE: `FJ-${digits.slice(-8)}`,
  ENGINEER_NUMBER: `FJ-${digits.slice(-8).padStart(8, '0')}`,
};

type Step =
  | { kind: 'value'; name: string; value: string }
  | { kind: 'token'; name: string; role: string; flags: Record<string, string> }
  | { kind: 'time'; name: string; offsetSeconds: number; ceil: boolean }
  | { kind: 'answer'; name: string; path: string }
  | { kind: 'request'; token: string; args: string; document: string; until?: { path: string; value: string } }
  | { kind: 'curl'; token: string; body: string };

const shellBlocks = (page: string): string[] => [...page.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

/** The page's shell blocks as steps, in order. */
function stepsOf(page: string): Step[] {
  const steps: Step[] = [];
  for (const block of shellBlocks(page)) {
    if (block.includes('gql() {') || block.trim() === './starline start') continue;
    const lines = block.replace(/\\\n\s*/g, '').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '' || line.startsWith('#')) continue;
      let m: RegExpMatchArray | null;
      const heredoc = () => {
        const body: string[] = [];
        for (i += 1; i < lines.length && lines[i] !== 'GRAPHQL'; i++) body.push(lines[i]!);
        if (i >= lines.length) throw new Error(`no GRAPHQL line ends the document after: ${line}`);
        return body.join('\n');
      };
      if (
        (m = line.match(
          /^until gql "\$(\w+)"(.*) <<'GRAPHQL' && \[ "\$\(answer ([^)]+)\)" = (\w+) \]; do sleep \d+; done$/,
        ))
      ) {
        steps.push({
          kind: 'request',
          token: m[1]!,
          args: m[2]!,
          until: { path: unquote(m[3]!), value: m[4]! },
          document: heredoc(),
        });
      } else if ((m = line.match(/^gql "\$(\w+)"(.*) <<'GRAPHQL'$/))) {
        steps.push({ kind: 'request', token: m[1]!, args: m[2]!, document: heredoc() });
      } else if (
        (m = line.match(
          /^curl -s (\S+) -H 'content-type: application\/json' -H "authorization: Bearer \$(\w+)" -d '(.*)'$/,
        ))
      ) {
        if (m[1] !== GATEWAY) throw new Error(`docs/first-job.md: a curl to ${m[1]}, not the local gateway ${GATEWAY}`);
        steps.push({ kind: 'curl', token: m[2]!, body: m[3]! });
      } else if ((m = line.match(/^(\w+)=\$\(\.\/starline token (\w+)((?: --\w+ "\$\w+")*)\)$/))) {
        const flags = Object.fromEntries([...m[3]!.matchAll(/--(\w+) "\$(\w+)"/g)].map((f) => [f[1]!, f[2]!]));
        steps.push({ kind: 'token', name: m[1]!, role: m[2]!, flags });
      } else if ((m = line.match(/^(\w+)=\$\(jq -rn 'now(?: ([+-]) (\d+))?( \| ceil)? \| todate'\)$/))) {
        const offset = m[3] ? Number(m[3]) * (m[2] === '-' ? -1 : 1) : 0;
        steps.push({ kind: 'time', name: m[1]!, offsetSeconds: offset, ceil: !!m[4] });
      } else if ((m = line.match(/^(\w+)=\$\(answer ([^)]+)\)$/))) {
        steps.push({ kind: 'answer', name: m[1]!, path: unquote(m[2]!) });
      } else if ((m = line.match(/^(\w+)=([\w.:-]+)$/))) {
        steps.push({ kind: 'value', name: m[1]!, value: m[2]! });
      } else {
        throw new Error(`docs/first-job.md: a shell line this test does not know: ${line}`);
      }
    }
  }
  return steps;
}

const unquote = (s: string) => s.replace(/^'(.*)'$/, '$1');

/** `$NAME` and `${NAME}` from the shell's variables, as bash would expand them in double quotes. */
function expand(text: string, vars: Map<string, string>): string {
  return text.replace(/\$\{?(\w+)\}?/g, (_, name: string) => {
    if (!vars.has(name)) throw new Error(`$${name} is used before the page sets it`);
    return vars.get(name)!;
  });
}

/** The `gql` helper's arguments: name="…", name='…', name=word (text) and name:=… (JSON). */
function variablesOf(args: string, vars: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rest = args.replace(
    /(\w+)(:?=)(?:"([^"]*)"|'([^']*)'|(\S+))/g,
    (_, name: string, op: string, dq?: string, sq?: string, bare?: string) => {
      const raw = sq !== undefined ? sq : expand(dq ?? bare ?? '', vars);
      out[name] = op === ':=' ? JSON.parse(raw) : raw;
      return '';
    },
  );
  if (rest.trim() !== '') throw new Error(`gql arguments this test does not know: ${rest}`);
  return out;
}

/** What `jq -r PATH` prints for a simple path such as .data.ticket.version or .a.b[0].c. */
function pick(value: unknown, path: string): string {
  let v: unknown = value;
  for (const part of path
    .replace(/^\./, '')
    .split(/\.|(?=\[)/)
    .filter(Boolean)) {
    const index = part.match(/^\[(\d+)\]$/);
    v = v == null ? null : index ? (v as unknown[])[Number(index[1])] : (v as Record<string, unknown>)[part];
  }
  if (v === undefined || v === null) return 'null';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

describe('docs/first-job.md', () => {
  const steps = stepsOf(PAGE);

  it('sends every request to the local gateway through one helper', () => {
    const helper = shellBlocks(PAGE).find((b) => b.includes('gql() {'));
    expect(helper).toContain(`curl -s ${GATEWAY}`);
    // The mutations a first job takes, in the order of its lifecycle.
    const operations = steps.flatMap((s) =>
      s.kind === 'request' ? [s.document.match(/^\s*(?:mutation|query)\s+\w+[^{]*\{\s*(\w+)/)?.[1]] : [],
    );
    expect(operations).toEqual([
      'createServiceCentre',
      'activateServiceCentre',
      'registerEngineer',
      'receiveTicket',
      'ticket',
      'acceptJob',
      'bookAppointment',
      'assignEngineer',
      'checkIn',
      'completeJob',
      'recordCallback',
      'qualityCheck',
      'ticket',
    ]);
  });

  it('takes a job from intake to CLOSED through the gateway, as the page says', { timeout: 120_000 }, async () => {
    const vars = new Map<string, string>();
    const tokens = new Map<string, string>();
    let last: GqlResponse = { status: 0, data: null, errors: undefined, codes: [] };
    const operations: string[] = [];

    for (const step of steps) {
      switch (step.kind) {
        case 'value':
          vars.set(step.name, OVERRIDES[step.name] ?? step.value);
          break;
        case 'token': {
          if (!isRole(step.role)) throw new Error(`not a role: ${step.role}`);
          const claims: Partial<Claims> = {};
          if (step.flags['centre']) claims.centreId = expand(`$${step.flags['centre']}`, vars);
          if (step.flags['engineer']) claims.engineerId = expand(`$${step.flags['engineer']}`, vars);
          tokens.set(step.name, await tokenFor(step.role, claims));
          vars.set(step.name, tokens.get(step.name)!);
          break;
        }
        case 'time': {
          const at = Date.now() + step.offsetSeconds * 1000;
          vars.set(step.name, new Date(step.ceil ? Math.ceil(at / 1000) * 1000 : at).toISOString());
          break;
        }
        case 'answer': {
          const value = pick({ data: last.data, errors: last.errors }, step.path);
          expect(value, `${step.name}=$(answer ${step.path})`).not.toBe('null');
          vars.set(step.name, value);
          break;
        }
        case 'curl': {
          const { query, variables } = JSON.parse(step.body) as { query: string; variables?: Record<string, unknown> };
          last = await gql(query, variables ?? {}, { token: tokens.get(step.token)! });
          expect(last.errors, query).toBeUndefined();
          break;
        }
        case 'request': {
          const token = tokens.get(step.token);
          if (!token) throw new Error(`$${step.token} is used before the page mints it`);
          const variables = variablesOf(step.args, vars);
          operations.push(step.document.match(/^\s*(?:mutation|query)\s+(\w+)/)![1]!);
          if (step.until) {
            // As the page's loop: ask again, once a second, until the answer says so.
            const deadline = Date.now() + 60_000;
            for (;;) {
              last = await gql(step.document, variables, { token });
              if (pick({ data: last.data, errors: last.errors }, step.until.path) === step.until.value) break;
              if (Date.now() > deadline)
                throw new Error(
                  `${operations.at(-1)}: ${step.until.path} never became ${step.until.value}: ${JSON.stringify(last)}`,
                );
              await new Promise((r) => setTimeout(r, 250));
            }
          } else {
            last = await gql(step.document, variables, { token });
          }
          expect(last.errors, `${operations.at(-1)}: ${JSON.stringify(last.errors)}`).toBeUndefined();
          break;
        }
      }
    }

    // The last request is the centre's view of the whole job.
    const job = (last.data as { ticket: any }).ticket;
    expect(job).toMatchObject({
      state: 'CLOSED',
      warranty: 'IN_WARRANTY',
      callback: { result: 'SATISFIED' },
      settlement: { status: 'PAYABLE' },
    });
    expect(job.timeline.map((e: { type: string }) => e.type)).toEqual([
      'RECEIVED',
      'DISPATCHED',
      'ACCEPTED',
      'CONTACTED',
      'BOOKED',
      'ASSIGNED',
      'CHECKED_IN',
      'COMPLETED',
      'CALLBACK_ATTEMPTED',
      'CALLED_BACK',
      'CLOSED',
    ]);
    // "every SLA clock is MET"
    expect(job.slas.length).toBeGreaterThan(0);
    expect(job.slas.filter((s: { status: string }) => s.status !== 'MET')).toEqual([]);

    // The job went to this run's centre, was paid the default urban REPAIR fee for an air
    // conditioner, and the checklist the page sends confirms every step the standard requires.
    const operator = await tokenFor('OPERATOR');
    const ticketId = vars.get('TICKET_ID')!;
    const centre = await gql(
      'query($id: ID!) { ticket(id: $id) { centreId engineerId report { checklist } standardVersionId } }',
      { id: ticketId },
      { token: operator },
    );
    const t = centre.data!['ticket'];
    expect(t).toMatchObject({ centreId: vars.get('CENTRE_ID'), engineerId: vars.get('ENGINEER_ID') });
    // The version in force at intake (other suites on this stack may publish newer ones meanwhile).
    const standard = await gql(
      'query($id: ID!) { standardVersion(id: $id) { id procedure { code requiredInCompletion } ' +
        'labourFees { productLine serviceType areaClass feeFen } } }',
      { id: t.standardVersionId },
      { token: operator },
    );
    const required = standard
      .data!['standardVersion'].procedure.filter((p: { requiredInCompletion: boolean }) => p.requiredInCompletion)
      .map((p: { code: string }) => p.code);
    expect(required.length).toBeGreaterThan(0);
    expect(t.report.checklist).toEqual(expect.arrayContaining(required));
    const fee = standard.data!['standardVersion'].labourFees.find(
      (f: any) => f.productLine === 'AIR_CONDITIONER' && f.serviceType === 'REPAIR' && f.areaClass === 'URBAN',
    );
    expect(job.settlement.feeFen).toBe(fee.feeFen);

    // The engineer's licence is untouched: nothing was late, missed or charged.
    const licence = await gql(
      'query($id: ID!) { engineer(id: $id) { licence { pointsRemaining ledger { code } } } }',
      { id: vars.get('ENGINEER_ID') },
      { token: operator },
    );
    expect(licence.data!['engineer'].licence.ledger).toEqual([]);
  });
});
