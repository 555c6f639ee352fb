// `snmp-trap` (listening): judges the traps the trap receiver publishes for this sensor's device
// (inbox topic `trap:<deviceId>`) against rules on the trap OID and an optional varbind match,
// raising Warning/Down until a clearing trap (linkUp for linkDown) or a quiet period clears it.

import { z } from 'zod';
import { NUMERIC_OID, normaliseOid } from '../../protocols/snmp/oids.ts';
import type { ReceivedMessage } from '../../store/store.ts';
import { duration } from '../fields.ts';
import { defineSensorKind } from '../sensor.ts';
import { regex, type TrackedRule } from '../syslog/rules.ts';
import { judgeRules, listenForRules } from '../syslog/rule-sensor.ts';
import '../syslog/errors.ts';


const oid = z
  .string()
  .regex(NUMERIC_OID, { error: (i) => `expected a numeric OID such as 1.3.6.1.6.3.1.1.5.3, got ${JSON.stringify(i.input)}` })
  .transform(normaliseOid);

export const trapRule = z.strictObject({
  name: z.string().min(1).optional().describe('Shown in messages (default the trap OID)'),
  oid: oid.describe('Trap OID (v1 traps are matched in their RFC 3584 form: linkDown is 1.3.6.1.6.3.1.1.5.3)'),
  varbind: z
    .strictObject({
      oid: oid.describe('Varbind OID, or a prefix of it (a column such as ifIndex 1.3.6.1.2.1.2.2.1.1)'),
      value: z.string().optional().describe('The value must equal this'),
      regex: regex.optional().describe('The value must match this (case-insensitive)'),
    })
    .optional()
    .describe('A varbind the trap must carry; clearing traps must carry it too'),
  state: z.enum(['warning', 'down']).default('warning'),
  clearOid: oid.optional().describe('A trap with this OID (and the same varbind match) clears the rule, e.g. linkUp for linkDown'),
  clearAfter: duration({ min: 1 }).optional().describe('Clears the rule after this long without a matching trap'),
});
export type TrapRule = z.infer<typeof trapRule>;

export const snmpTrapSettings = z.strictObject({
  rules: z.array(trapRule).default([]).describe('Rules judged against every trap from the device'),
});
export type SnmpTrapSettings = z.infer<typeof snmpTrapSettings>;

interface TrapData {
  readonly trapOid?: string;
  readonly varbinds?: readonly { readonly oid: string; readonly value: string }[];
}

/** A rule as a pure predicate over received trap messages. */
export function compileTrapRule(r: TrapRule): TrackedRule<ReceivedMessage> {
  const re = r.varbind?.regex !== undefined ? new RegExp(r.varbind.regex, 'i') : undefined;
  const vbOk = (d: TrapData) => {
    const want = r.varbind;
    if (!want) return true;
    return (d.varbinds ?? []).some(
      (vb) => (vb.oid === want.oid || vb.oid.startsWith(`${want.oid}.`)) && (want.value === undefined || vb.value === want.value) && (!re || re.test(vb.value)),
    );
  };
  return {
    name: r.name ?? r.oid,
    state: r.state,
    ...(r.clearAfter !== undefined ? { clearAfterMs: r.clearAfter * 1000 } : {}),
    matches: (m) => {
      const d = (m.data ?? {}) as TrapData;
      return d.trapOid === r.oid && vbOk(d);
    },
    clears: (m) => {
      const d = (m.data ?? {}) as TrapData;
      return r.clearOid !== undefined && d.trapOid === r.clearOid && vbOk(d);
    },
  };
}

export const snmpTrapKind = defineSensorKind({
  kind: 'snmp-trap',
  title: 'SNMP trap rules',
  description:
    "Judges the SNMP traps and informs (v1, v2c, v3) Wardwatch's trap receiver gets from the device's address. Each rule names a trap OID (v1 traps in their RFC 3584 form) and optionally a varbind with a value or regex, and sets Warning or Down while active; a trap with the rule's clearOid and the same varbind (linkUp for linkDown on the same ifIndex), or clearAfter without a match, clears it. Channels count traps per minute and matching traps since the last check.",
  settings: snmpTrapSettings,
  channels: [
    { key: 'trapsPerMin', name: 'Traps/min', unit: 'per min' },
    { key: 'matchCount', name: 'Matching traps', unit: 'count', primary: true, description: 'Traps matching a rule since the last check' },
  ],
  concurrency: 1000,
  defaultIntervalS: 60,
  usesHost: false,
  check: async (_s, ctx) => judgeRules(ctx, 'SNMP trap receiver', 'trap', (c) => [
    { key: 'trapsPerMin', value: c.seenPerMin },
    { key: 'matchCount', value: c.matched },
  ]),
  listen: (s, ctx) => listenForRules(ctx, 'trap', s.rules.map(compileTrapRule)),
});
