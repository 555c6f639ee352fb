// The names the core and the probes agree on over NATS: one subject space per probe, so that the
// server's subject permissions alone decide what a probe may publish and read (a probe's subject is
// its identity; the core never trusts a name written inside a message body).

/** A probe name doubles as a NATS subject token: letters, digits, dash and underscore. */
export const PROBE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const READINGS_STREAM = 'WW_READINGS';
/** The durable pull consumer shared by every core process (horizontal ingest). */
export const INGEST_CONSUMER = 'wardwatch-core';
/** What the cores applied, fanned out so that every core sees every remote status and event. */
export const APPLIED_STREAM = 'WW_APPLIED';

export function checkProbeName(name: string, where = '--name'): string {
  if (!PROBE_NAME.test(name)) throw new Error(`${where}: probe name ${JSON.stringify(name)} must be 1–64 letters, digits, "-" or "_" (it is used as a NATS subject token)`);
  return name;
}

export const subjects = {
  /** Readings, events and states into JetStream (captured by READINGS_STREAM). */
  readings: (probe: string) => `ww.probe.${probe}.r`,
  readingsWildcard: 'ww.probe.*.r',
  /** Request: hello + "send me my configuration"; the core answers pending or the config. */
  hello: (probe: string) => `ww.probe.${probe}.hello`,
  helloWildcard: 'ww.probe.*.hello',
  /** Request: one chunk of the probe's configuration (it can be larger than one message). */
  configChunk: (probe: string) => `ww.probe.${probe}.config`,
  configChunkWildcard: 'ww.probe.*.config',
  /** Heartbeat with the probe's own health figures (core NATS, not stored). */
  health: (probe: string) => `ww.probe.${probe}.health`,
  healthWildcard: 'ww.probe.*.health',
  /** Configuration pushed by the core when it changes or the probe gets approved. */
  config: (probe: string) => `ww.config.${probe}`,
  /** What a core applied from a probe's readings, for every core (captured by APPLIED_STREAM; cores only). */
  applied: (probe: string) => `ww.applied.${probe}`,
  appliedWildcard: 'ww.applied.*',
  /** Each probe gets its own inbox prefix, so it cannot read replies meant for another. */
  inboxPrefix: (probe: string) => `_INBOX_${probe}`,
} as const;

/** The probe name in a subject of the ww.probe.NAME.* space, or undefined. */
export function probeOfSubject(subject: string): string | undefined {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== 'ww' || parts[1] !== 'probe') return undefined;
  const name = parts[2]!;
  return PROBE_NAME.test(name) ? name : undefined;
}

/** The probe name in a ww.applied.NAME subject, or undefined. */
export function probeOfAppliedSubject(subject: string): string | undefined {
  const parts = subject.split('.');
  if (parts.length !== 3 || parts[0] !== 'ww' || parts[1] !== 'applied') return undefined;
  const name = parts[2]!;
  return PROBE_NAME.test(name) ? name : undefined;
}
