// THE list of sensor kinds. The config schema, the API enum, the CLI's `check` command and the
// generated docs all come from here; nothing else lists kinds or switches on them.

import type { AnySensorKind } from './sensor.ts';
import { syntheticKind } from './synthetic/index.ts';

export const SENSOR_KINDS: readonly AnySensorKind[] = [
  syntheticKind,
] as unknown as readonly AnySensorKind[];

const byKind = new Map(SENSOR_KINDS.map((k) => [k.kind, k]));

export function sensorKind(kind: string): AnySensorKind | undefined {
  return byKind.get(kind);
}

export function kindNames(): string[] {
  return SENSOR_KINDS.map((k) => k.kind);
}
