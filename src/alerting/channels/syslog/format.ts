// The two SIEM formats: RFC 5424 syslog with a structured-data element, and ArcSight CEF carried as
// the message of an RFC 5424 record. Each escapes exactly what its grammar reserves.

import { hostname } from 'node:os';
import type { Notification } from '../../notification.ts';
import { escapeLine, render } from '../../templates/index.ts';
import type { SyslogSettings } from './settings.ts';

/** Private enterprise number used for Wardwatch's SD-ID (documentation range would be 32473). */
export const SD_ID = 'wardwatch@32473';

const SEVERITY: Readonly<Record<string, number>> = { critical: 2, warning: 4, info: 6 };

export function syslogSeverity(n: Notification): number {
  if (n.kind === 'recovery') return 5; // notice: good news worth keeping, not an error
  return SEVERITY[n.vars.severity ?? 'info'] ?? 6;
}

/** RFC 5424 §6.3.3: inside a PARAM-VALUE, '"', '\' and ']' are escaped with a backslash. */
export function escapeSdValue(s: string): string {
  return s.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** CEF header fields: backslash and pipe are escaped. */
export function escapeCefHeader(s: string): string {
  return escapeLine(s).replace(/[\\|]/g, (c) => `\\${c}`);
}

/** CEF extension values: backslash and equals are escaped, newlines written as \n. */
export function escapeCefValue(s: string): string {
  return s.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');
}

const CEF_SEVERITY: Readonly<Record<string, number>> = { critical: 10, warning: 6, info: 3 };

export function cefLine(n: Notification, templates: Readonly<Record<string, string>>, defaults: Readonly<Record<string, string>>): string {
  const v = n.vars;
  const name = render('message', defaults, templates, n, escapeLine);
  const ext: [string, string | number | undefined][] = [
    ['rt', n.createdAt],
    ['dvchost', v.host],
    ['dvc', v.host !== undefined && /^[\d.]+$/.test(v.host) ? v.host : undefined],
    ['cs1Label', 'alertId'], ['cs1', n.alertId],
    ['cs2Label', 'sensor'], ['cs2', v.sensor],
    ['cs3Label', 'state'], ['cs3', v.state],
    ['cs4Label', 'device'], ['cs4', v.device],
    ['cs5Label', 'rule'], ['cs5', n.ruleName],
    ['cs6Label', 'clinicalSystem'], ['cs6', v.clinicalSystem],
    ['msg', v.message],
    ['request', v.consoleUrl],
    ['cnt', v.members?.length],
  ];
  const extension = ext
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .map(([k, val]) => `${k}=${escapeCefValue(String(val))}`)
    .join(' ');
  const sev = n.kind === 'recovery' ? 1 : (CEF_SEVERITY[v.severity ?? 'info'] ?? 3);
  return `CEF:0|Wardwatch|Wardwatch|1|${escapeCefHeader(n.kind)}|${escapeCefHeader(name)}|${sev}|${extension}`;
}

/** One RFC 5424 record (without transport framing). */
export function syslogRecord(n: Notification, settings: SyslogSettings, templates: Readonly<Record<string, string>>, defaults: Readonly<Record<string, string>>, nowMs: number): string {
  const pri = settings.facility * 8 + syslogSeverity(n);
  const host = settings.hostname ?? (hostname().replace(/[^!-~]/g, '') || '-');
  const msgid = n.kind.slice(0, 32);
  const v = n.vars;
  if (settings.format === 'cef') {
    return `<${pri}>1 ${new Date(nowMs).toISOString()} ${host} ${settings.appName} ${process.pid} ${msgid} - ${cefLine(n, templates, defaults)}`;
  }
  const params: [string, string | undefined][] = [
    ['alertId', n.alertId], ['rule', n.ruleName], ['sensorId', v.sensorId], ['device', v.device], ['sensor', v.sensor],
    ['state', v.state], ['previousState', v.previousState], ['value', v.value], ['severity', v.severity],
  ];
  const sd = `[${SD_ID}${params.filter((p): p is [string, string] => p[1] !== undefined).map(([k, val]) => ` ${k}="${escapeSdValue(val)}"`).join('')}]`;
  // The BOM marks MSG as UTF-8 (RFC 5424 §6.4), so collectors do not guess the charset of device names.
  return `<${pri}>1 ${new Date(nowMs).toISOString()} ${host} ${settings.appName} ${process.pid} ${msgid} ${sd} \uFEFF${render('message', defaults, templates, n, escapeLine)}`;
}
