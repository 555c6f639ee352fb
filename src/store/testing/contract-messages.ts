// The MessageLog half of the Store contract: received messages (syslog, traps, ATNA audit records)
// round-trip, filter and page newest first, search case-insensitively over text and data, and
// go after 90 days by applyRetention. Registered by runStoreContract.

import { expect, it } from 'vitest';
import type { ReceivedMessage, Store } from '../store.ts';

const T0 = Date.UTC(2026, 5, 1, 8);
const DAY = 86_400_000;

function msg(i: number, extra: Partial<ReceivedMessage> = {}): ReceivedMessage {
  return { receiver: 'syslog', ts: T0 + i * 1000, source: '10.0.0.1', deviceId: 'switch-1', severity: 'info', text: `line ${i}`, ...extra };
}

export function runMessageContract(store: () => Store): void {
  it('round-trips received messages with and without device and data, newest first', async () => {
    const full = msg(1, { severity: 'critical', text: 'Röntgen 🩻 link down', data: { facility: 'local0', sd: { 'a@1': { k: 'v"]' } }, n: 3 } });
    const unknown: ReceivedMessage = { receiver: 'snmp-trap', ts: T0 + 2000, source: '192.0.2.9', severity: 'warning', text: 'coldStart' };
    await store().appendMessages([full, unknown]);
    await store().appendMessages([]);
    const got = await store().messages({});
    expect(got.map(({ id: _id, ...m }) => m)).toEqual([unknown, full]);
    expect(got[0]!.id).toBeGreaterThan(got[1]!.id);
  });

  it('filters by receiver, device, source and time, and pages with beforeId and limit', async () => {
    await store().appendMessages([
      msg(1),
      msg(2, { receiver: 'snmp-trap' }),
      msg(3, { deviceId: 'ups-1', source: '10.0.0.2' }),
      msg(4),
      msg(5),
    ]);
    const texts = async (q: Parameters<Store['messages']>[0]) => (await store().messages(q)).map((m) => m.text);
    expect(await texts({ receiver: 'syslog', deviceId: 'switch-1' })).toEqual(['line 5', 'line 4', 'line 1']);
    expect(await texts({ receiver: 'snmp-trap' })).toEqual(['line 2']);
    expect(await texts({ source: '10.0.0.2' })).toEqual(['line 3']);
    expect(await texts({ from: T0 + 2000, to: T0 + 4000 })).toEqual(['line 4', 'line 3', 'line 2']);
    const page1 = await store().messages({ limit: 2 });
    expect(page1.map((m) => m.text)).toEqual(['line 5', 'line 4']);
    expect(await texts({ limit: 2, beforeId: page1[1]!.id })).toEqual(['line 3', 'line 2']);
  });

  it('searches text and data case-insensitively, including non-ASCII and LIKE wildcards taken literally', async () => {
    await store().appendMessages([
      msg(1, { text: 'ATNA audit: UserAuthenticated', data: { atna: { eventId: '110114', userId: 'Dr.Müller' } } }),
      msg(2, { text: 'STRASSE ÄRZTE 100% done' }),
      msg(3, { text: 'plain line_x' }),
    ]);
    const texts = async (text: string) => (await store().messages({ text })).map((m) => m.text);
    expect(await texts('userauthenticated')).toEqual(['ATNA audit: UserAuthenticated']);
    expect(await texts('DR.MÜLLER')).toEqual(['ATNA audit: UserAuthenticated']);
    expect(await texts('ärzte')).toEqual(['STRASSE ÄRZTE 100% done']);
    expect(await texts('100%')).toEqual(['STRASSE ÄRZTE 100% done']);
    expect(await texts('e_x')).toEqual(['plain line_x']);
    expect(await texts('%')).toEqual(['STRASSE ÄRZTE 100% done']);
    expect(await texts('nowhere')).toEqual([]);
  });

  it('applyRetention deletes messages older than 90 days and keeps newer ones', async () => {
    const now = T0 + 100 * DAY;
    await store().appendMessages([msg(0, { ts: now - 91 * DAY, text: 'old' }), msg(0, { ts: now - 89 * DAY, text: 'kept' })]);
    expect(await store().applyRetention(now)).toBe(1);
    expect((await store().messages({})).map((m) => m.text)).toEqual(['kept']);
  });
}
