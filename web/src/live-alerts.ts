// Alert changes over the live stream (/api/live?alerts=true): a page that lists alerts re-reads them
// the moment one opens, is acknowledged, escalates or ends, instead of waiting for its next poll.

import { useEffect, useRef } from 'react';

export const LIVE_ALERTS_URL = '/api/live?alerts=true';

/** A burst of alerts (an outage) becomes one re-read per this many ms, well within a second. */
export const ALERTS_THROTTLE_MS = 250;

/**
 * Calls `onChange` after alert changes the user may see, and whenever the stream starts afresh
 * (its `snapshot`: changes may have been missed before it, or while it was away). EventSource
 * reconnects by itself and the server replays what was missed.
 */
export function useLiveAlerts(onChange: () => void, throttleMs = ALERTS_THROTTLE_MS, enabled = true): void {
  const latest = useRef(onChange);
  useEffect(() => {
    latest.current = onChange;
  }, [onChange]);
  useEffect(() => {
    // Off where alerting does not run (the stream would refuse alerts=true).
    if (!enabled || typeof EventSource === 'undefined') return;
    const es = new EventSource(LIVE_ALERTS_URL, { withCredentials: true });
    let timer: number | undefined;
    const changed = () => {
      timer ??= window.setTimeout(() => {
        timer = undefined;
        latest.current();
      }, throttleMs);
    };
    es.addEventListener('alert', changed);
    es.addEventListener('snapshot', changed);
    return () => {
      es.close();
      window.clearTimeout(timer);
    };
  }, [throttleMs, enabled]);
}
