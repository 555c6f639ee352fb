// HL7 v2 delimiters and escape sequences (\F\ \S\ \T\ \R\ \E\). The delimiters come from MSH-1 and
// MSH-2 of each message, so every function takes them; unknown sequences (\H\, \.br\, \X..\) are
// kept verbatim because their meaning depends on the receiving application.

export interface Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
}

export const DEFAULT_DELIMITERS: Delimiters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

/** MSH-2 text for a set of delimiters ("^~\&"). */
export function encodingCharacters(d: Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent;
}

/** Replaces delimiters in a value with escape sequences (escape character first). */
export function escapeValue(value: string, d: Delimiters = DEFAULT_DELIMITERS): string {
  let out = '';
  for (const ch of value) {
    if (ch === d.escape) out += `${d.escape}E${d.escape}`;
    else if (ch === d.field) out += `${d.escape}F${d.escape}`;
    else if (ch === d.component) out += `${d.escape}S${d.escape}`;
    else if (ch === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (ch === d.repetition) out += `${d.escape}R${d.escape}`;
    else if (ch === '\r') out += `${d.escape}X0D${d.escape}`;
    else out += ch;
  }
  return out;
}

/** Turns escape sequences back into the characters they stand for. */
export function unescapeValue(value: string, d: Delimiters = DEFAULT_DELIMITERS): string {
  if (!value.includes(d.escape)) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf(d.escape, i);
    if (start === -1) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, start);
    const end = value.indexOf(d.escape, start + 1);
    if (end === -1) {
      // an escape character with no partner: keep the rest as it is
      out += value.slice(start);
      break;
    }
    const seq = value.slice(start + 1, end);
    out += decodeSequence(seq, d) ?? value.slice(start, end + 1);
    i = end + 1;
  }
  return out;
}

function decodeSequence(seq: string, d: Delimiters): string | undefined {
  switch (seq) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case 'X0D':
      return '\r';
    case 'X0A':
      return '\n';
    case 'X0D0A':
      return '\r\n';
    default:
      return undefined;
  }
}
