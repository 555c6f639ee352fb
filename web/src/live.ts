// Live updates over Server-Sent Events (/api/live): the page says what it shows (the overview, some
// sensors, a subtree) and the server sends only those deltas. EventSource reconnects by itself.

export interface LiveState {
  readonly sensorId: string;
  readonly state: string;
  readonly acknowledged?: boolean;
  readonly since?: number;
  readonly message?: string;
}

export interface LiveValues {
  readonly sensorId: string;
  readonly ts: number;
  readonly values: Readonly<Record<string, number>>;
  readonly message?: string;
}

export interface LiveCounts {
  readonly nodeId: string;
  readonly counts: Readonly<Record<string, number>>;
}

export interface LiveHandlers {
  onState?(e: LiveState): void;
  onValues?(e: LiveValues): void;
  /** A requested non-sensor node's counts changed. */
  onCounts?(e: LiveCounts): void;
  /** Connection state, for the "live" indicator. */
  onOpen?(open: boolean): void;
}

/** Most node ids one stream may follow (the server's MAX_LIVE_NODES). */
export const MAX_LIVE_NODES = 1000;

export function liveUrl(nodes: readonly string[]): string {
  return `/api/live?nodes=${encodeURIComponent(nodes.slice(0, MAX_LIVE_NODES).join(','))}`;
}

function parse(data: unknown): unknown {
  try {
    return typeof data === 'string' ? JSON.parse(data) : undefined;
  } catch {
    return undefined;
  }
}

/** Normalises one state delta (flat, or {event, status} as the engine reports it). */
export function toLiveState(x: unknown): LiveState | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  const ev = (o.event ?? o) as Record<string, unknown>;
  const st = (o.status ?? o) as Record<string, unknown>;
  const sensorId = ev.sensorId ?? o.sensorId ?? o.id;
  const state = st.state ?? ev.to;
  if (typeof sensorId !== 'string' || typeof state !== 'string') return undefined;
  return {
    sensorId,
    state,
    acknowledged: Boolean(st.acknowledged),
    ...(typeof st.since === 'number' ? { since: st.since } : {}),
    ...(typeof st.message === 'string' ? { message: st.message } : {}),
  };
}

export function toLiveValues(x: unknown): LiveValues | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  const sensorId = o.sensorId;
  if (typeof sensorId !== 'string') return undefined;
  let values: Record<string, number> = {};
  if (Array.isArray(o.channels)) {
    for (const c of o.channels as { key?: unknown; value?: unknown }[]) if (typeof c.key === 'string' && typeof c.value === 'number') values[c.key] = c.value;
  } else if (typeof o.values === 'object' && o.values !== null) values = o.values as Record<string, number>;
  return { sensorId, ts: typeof o.ts === 'number' ? o.ts : Date.now(), values, ...(typeof o.message === 'string' ? { message: o.message } : {}) };
}

/**
 * Opens a stream for the nodes a page shows (state deltas for sensors at or below them, values for
 * sensors named, counts for other nodes); returns the function that closes it (for useEffect).
 */
export function subscribeLive(nodes: readonly string[], h: LiveHandlers): () => void {
  if (typeof EventSource === 'undefined' || nodes.length === 0) return () => undefined;
  const es = new EventSource(liveUrl(nodes), { withCredentials: true });
  es.onopen = () => h.onOpen?.(true);
  es.onerror = () => h.onOpen?.(false);
  const onState = (m: MessageEvent) => {
    const s = toLiveState(parse(m.data));
    if (s) h.onState?.(s);
  };
  const onValues = (m: MessageEvent) => {
    const v = toLiveValues(parse(m.data));
    if (v) h.onValues?.(v);
  };
  es.addEventListener('state', onState);
  es.addEventListener('values', onValues);
  es.addEventListener('counts', (m: MessageEvent) => {
    const c = parse(m.data) as LiveCounts | undefined;
    if (c && typeof c.nodeId === 'string' && typeof c.counts === 'object') h.onCounts?.(c);
  });
  return () => es.close();
}
