import { describe, expect, it } from 'vitest';
import { createInbox } from './inbox.ts';

describe('inbox', () => {
  it('delivers to subscribers of the topic only, and stops after unsubscribe', () => {
    const inbox = createInbox();
    const got: unknown[] = [];
    const off = inbox.subscribe('syslog:10.0.0.1', (m) => got.push(m));
    inbox.subscribe('syslog:10.0.0.2', () => got.push('wrong'));
    expect(inbox.publish('syslog:10.0.0.1', 'a')).toBe(1);
    off();
    expect(inbox.publish('syslog:10.0.0.1', 'b')).toBe(0);
    expect(got).toEqual(['a']);
  });

  it('isolates a throwing subscriber and reports it', () => {
    const errors: string[] = [];
    const inbox = createInbox((topic, e) => errors.push(`${topic}: ${(e as Error).message}`));
    const got: unknown[] = [];
    inbox.subscribe('t', () => {
      throw new Error('boom');
    });
    inbox.subscribe('t', (m) => got.push(m));
    expect(inbox.publish('t', 1)).toBe(2);
    expect(got).toEqual([1]);
    expect(errors).toEqual(['t: boom']);
  });
});
