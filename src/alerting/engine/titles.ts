// The words of alert titles and group members: one place, so that every channel says the same
// thing the same way ("PACS-1 / DICOM echo is Down", "has been Down for 2 min").

import type { SensorStatus, TimedReading } from '../../core/model.ts';
import type { TemplateVars } from '../notification.ts';
import type { Topology } from './topology.ts';

const WORDS: Readonly<Record<string, string>> = { up: 'Up', warning: 'Warning', down: 'Down', paused: 'Paused', unknown: 'Unknown' };

export function describeState(state: string): string {
  return WORDS[state] ?? state;
}

export function describeDuration(seconds: number): string {
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600} h`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function stateTitle(label: string, state: string): string {
  return state === 'up' ? `${label} is back Up` : `${label} is ${describeState(state)}`;
}

export function heldTitle(label: string, state: string, forS: number): string {
  return `${label} has been ${describeState(state)} for ${describeDuration(forS)}`;
}

export function thresholdTitle(label: string, channel: string, above: number | undefined, below: number | undefined, forS: number, value: number): string {
  const what = above !== undefined && value > above ? `above ${above}` : `below ${below ?? above}`;
  return `${label}: ${channel} ${what}${forS > 0 ? ` for ${describeDuration(forS)}` : ''} (now ${value})`;
}

export function memberOf(topo: Topology, id: string, status: SensorStatus | undefined): { sensorId: string; name: string; state: string; message?: string } {
  const v = topo.vars(id);
  const name = v.device !== undefined && v.sensor !== undefined ? `${v.device} / ${v.sensor}` : topo.name(id);
  return { sensorId: id, name, state: status?.state ?? 'down', ...(status?.message !== undefined ? { message: status.message } : {}) };
}

/** A grouped alert names the parent's level and above, not one member's device or sensor. */
export function pickParent(v: Partial<TemplateVars>, type: string | undefined): Partial<TemplateVars> {
  const depth = type === 'device' ? 3 : type === 'group' ? 2 : 1;
  const out: Record<string, string> = {};
  if (v.site !== undefined) out.site = v.site;
  if (depth >= 2 && v.group !== undefined) out.group = v.group;
  if (depth >= 2 && v.clinicalSystem !== undefined) out.clinicalSystem = v.clinicalSystem;
  if (depth >= 3 && v.device !== undefined) out.device = v.device;
  if (depth >= 3 && v.host !== undefined) out.host = v.host;
  return out;
}

/** What changed since the previous reading, for a change trigger ("message changed from … to …"). */
export function describeChanges(prev: { readonly message?: string; readonly values: ReadonlyMap<string, number> }, r: TimedReading, t: { readonly message: boolean; readonly channels: readonly string[] }): string[] {
  const out: string[] = [];
  if (t.message && r.message !== undefined && prev.message !== undefined && r.message !== prev.message) out.push(`message changed from "${prev.message}" to "${r.message}"`);
  for (const key of t.channels) {
    const now = r.channels.find((c) => c.key === key)?.value;
    const before = prev.values.get(key);
    if (now !== undefined && before !== undefined && now !== before) out.push(`${key} changed from ${before} to ${now}`);
  }
  return out;
}
