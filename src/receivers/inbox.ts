// The in-process inbox: receivers (syslog, traps, push, feeds) publish what arrives under a topic,
// listening sensors subscribe. A throwing subscriber never breaks the publisher or other subscribers.

import type { Inbox } from '../sensors/sensor.ts';

export function createInbox(onSubscriberError?: (topic: string, err: unknown) => void): Inbox {
  const subs = new Map<string, Set<(m: unknown) => void>>();
  return {
    subscribe(topic, fn) {
      let set = subs.get(topic);
      if (!set) subs.set(topic, (set = new Set()));
      set.add(fn);
      return () => {
        set.delete(fn);
        if (set.size === 0) subs.delete(topic);
      };
    },
    publish(topic, message) {
      const set = subs.get(topic);
      if (!set) return 0;
      for (const fn of set) {
        try {
          fn(message);
        } catch (e) {
          onSubscriberError?.(topic, e);
        }
      }
      return set.size;
    },
  };
}
