// Leak detection for sensor tests: counts the libuv resources (sockets, DNS requests, child
// processes and their pipes) a check may leave behind, and waits a bounded while for closes to
// settle, because a destroyed socket leaves the handle list only a loop turn or two later.

/**
 * Resource kinds a check must not leave open after it resolved. Timers are not among them: the
 * test runner's own timers come and go during a test, so counting them gives false alarms.
 */
export const TRACKED_RESOURCES = ['TCPSocketWrap', 'TLSWrap', 'UDPWrap', 'PipeWrap', 'ProcessWrap', 'GetAddrInfoReqWrap', 'ConnectWrap'] as const;

export type ResourceCounts = Readonly<Record<string, number>>;

/** Counts of the tracked resources that keep the event loop alive right now. */
export function activeResources(): ResourceCounts {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) {
    if ((TRACKED_RESOURCES as readonly string[]).includes(name)) counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** What grew between two snapshots, e.g. `{ TCPSocketWrap: 1 }`; empty when nothing leaked. */
export function grownResources(before: ResourceCounts, after: ResourceCounts): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [name, n] of Object.entries(after)) {
    const delta = n - (before[name] ?? 0);
    if (delta > 0) grown[name] = delta;
  }
  return grown;
}

/**
 * Waits until no tracked resource exceeds the baseline, polling on loop turns for at most
 * `maxWaitMs` (closes in flight settle within a few turns). Returns what is still open (empty if none).
 */
export async function settleResources(before: ResourceCounts, maxWaitMs = 2000): Promise<Record<string, number>> {
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    const grown = grownResources(before, activeResources());
    if (Object.keys(grown).length === 0 || performance.now() > deadline) return grown;
    await new Promise<void>((resolve) => {
      // unref'd so the poll itself is not counted as a leaked Timeout
      setTimeout(resolve, 5).unref();
    });
  }
}
