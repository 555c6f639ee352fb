// Message templates for HL7 checks: built-in ADT^A01 and QRY^A19 with a clearly synthetic test
// patient, or a user's own text. {{now}} and {{controlId}} are filled per send, and MSH-7/MSH-10 are
// always set so that every message is current and its ACK can be matched.

import { parseHl7, type Hl7Message } from './message.ts';
import { hl7Timestamp } from './timestamp.ts';

export const BUILTIN_TEMPLATES = {
  'adt-a01': [
    'MSH|^~\\&|WARDWATCH|MONITORING|RECEIVER|HOSPITAL|{{now}}||ADT^A01^ADT_A01|{{controlId}}|P|2.5.1',
    'EVN|A01|{{now}}',
    'PID|1||WW0000001^^^WARDWATCH^MR||WARDWATCH^TEST^^^^^T||19700101|U',
    'PV1|1|N',
  ].join('\r') + '\r',
  'qry-a19': [
    'MSH|^~\\&|WARDWATCH|MONITORING|RECEIVER|HOSPITAL|{{now}}||QRY^A19^QRY_A19|{{controlId}}|P|2.3',
    'QRD|{{now}}|R|I|{{controlId}}|||1^RD|WW0000001^WARDWATCH^TEST|DEM',
  ].join('\r') + '\r',
} as const;
export type BuiltinTemplate = keyof typeof BUILTIN_TEMPLATES;

/** MSH fields a sensor may override by name; values use ^ between components. */
export const MSH_OVERRIDES = {
  sendingApplication: 'MSH-3',
  sendingFacility: 'MSH-4',
  receivingApplication: 'MSH-5',
  receivingFacility: 'MSH-6',
  processingId: 'MSH-11',
  version: 'MSH-12',
  characterSet: 'MSH-18',
} as const;
export type MshOverrides = Partial<Record<keyof typeof MSH_OVERRIDES, string>>;

export interface FillOptions {
  /** Epoch ms for {{now}} and MSH-7. */
  readonly now: number;
  readonly controlId: string;
  readonly msh?: MshOverrides;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** Fills a template and applies MSH overrides. Throws Hl7ParseError or Error with a readable reason. */
export function fillTemplate(template: string, opts: FillOptions): Hl7Message {
  const ts = hl7Timestamp(opts.now);
  const text = template.replace(PLACEHOLDER, (_, name: string) => {
    if (name === 'now') return ts;
    if (name === 'controlId') return opts.controlId;
    throw new Error(`unknown placeholder {{${name}}} in the template (known: {{now}}, {{controlId}})`);
  });
  let msg = parseHl7(text).with('MSH-7', ts).with('MSH-10', opts.controlId);
  for (const [key, path] of Object.entries(MSH_OVERRIDES)) {
    const v = opts.msh?.[key as keyof typeof MSH_OVERRIDES];
    if (v === undefined) continue;
    // written in HL7 notation: "LAB^1.2.3^ISO" sets the three components of the HD field
    msg = msg.with(path, '');
    for (const [i, comp] of v.split('^').entries()) msg = msg.with(`${path}.${i + 1}`, comp);
  }
  return msg;
}
