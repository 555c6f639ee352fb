import { describe, expect, it } from 'vitest';
import type { ChannelSpec, Reading, SensorStatus } from './model.ts';
import { acknowledge, applyOutcome, applyPause, initialStatus, outcomeOf, pauseFor, type Outcome } from './state.ts';

const specs: ChannelSpec[] = [{ key: 'responseTimeMs', name: 'Response time', unit: 'ms', limits: { upperWarning: 500, upperError: 2000 } }];
const FAIL: Outcome = { kind: 'failure', code: 'ECONNREFUSED', message: 'Connection refused: nothing is listening on that port' };
const OK: Outcome = { kind: 'ok', message: 'OK' };

/** Runs outcomes through the state machine, returning each state and whether a re-check was asked. */
function run(outcomes: Outcome[], retries: number, start: SensorStatus = initialStatus(0)) {
  let s = start;
  return outcomes.map((o, i) => {
    const t = applyOutcome('s', s, o, 1000 * (i + 1), retries);
    s = t.status;
    return { state: t.status.state, recheck: t.recheck, failures: t.status.failures, event: t.event };
  });
}

describe('outcomeOf', () => {
  const reading = (r: Partial<Reading>): Reading => ({ channels: [], ...r });
  it('an error code is a failure with the catalogue message and the detail', () => {
    expect(outcomeOf(reading({ error: 'ECONNREFUSED', message: '10.0.0.5:104' }), specs)).toEqual({ kind: 'failure', code: 'ECONNREFUSED', message: 'Connection refused: nothing is listening on that port: 10.0.0.5:104' });
    expect(outcomeOf(reading({ error: 'TIMEOUT' }), specs)).toEqual({ kind: 'failure', code: 'TIMEOUT', message: 'No answer within the timeout' });
  });
  it('an error the check marks as a warning stays a warning (certificate expiring soon)', () => {
    expect(outcomeOf(reading({ error: 'TLS_CERT_EXPIRING', status: 'warning', message: '12 days left' }), specs)).toEqual({ kind: 'warning', code: 'TLS_CERT_EXPIRING', message: 'TLS certificate expires soon: 12 days left' });
  });
  it('limits decide: error limit is a failure, warning limit a warning', () => {
    expect(outcomeOf(reading({ channels: [{ key: 'responseTimeMs', value: 2500 }] }), specs)).toEqual({ kind: 'failure', code: 'LIMIT_ERROR', message: 'Response time 2500 ms is above the error limit of 2000 ms' });
    expect(outcomeOf(reading({ channels: [{ key: 'responseTimeMs', value: 700 }] }), specs)).toEqual({ kind: 'warning', code: 'LIMIT_WARNING', message: 'Response time 700 ms is above the warning limit of 500 ms' });
    expect(outcomeOf(reading({ channels: [{ key: 'responseTimeMs', value: 12 }], message: '200 OK in 12 ms' }), specs)).toEqual({ kind: 'ok', message: '200 OK in 12 ms' });
  });
  it('a status the check decides itself', () => {
    expect(outcomeOf(reading({ status: 'down', message: 'CRITICAL - disk full' }), specs)).toEqual({ kind: 'failure', message: 'CRITICAL - disk full' });
    expect(outcomeOf(reading({ status: 'unknown' }), specs)).toEqual({ kind: 'unknown', message: 'Unknown' });
    expect(outcomeOf(reading({ status: 'warning', message: 'WARNING - load' }), specs)).toEqual({ kind: 'warning', message: 'WARNING - load' });
    expect(outcomeOf(reading({}), specs)).toEqual({ kind: 'ok', message: 'OK' });
  });
});

describe('confirm-before-down', () => {
  it('retries 0: Down at the first failure, no re-check', () => {
    expect(run([FAIL], 0).map((r) => [r.state, r.recheck])).toEqual([['down', false]]);
  });
  it('retries 1: Warning and re-check, then Down', () => {
    expect(run([FAIL, FAIL, FAIL], 1).map((r) => [r.state, r.recheck, r.failures])).toEqual([
      ['warning', true, 1],
      ['down', false, 2],
      ['down', false, 3],
    ]);
  });
  it('retries 3: three Warnings with re-checks, Down at the fourth failure', () => {
    const r = run([FAIL, FAIL, FAIL, FAIL], 3);
    expect(r.map((x) => [x.state, x.recheck])).toEqual([
      ['warning', true],
      ['warning', true],
      ['warning', true],
      ['down', false],
    ]);
    expect(r.map((x) => x.event?.reason)).toEqual(['ECONNREFUSED (unconfirmed, failure 1 of 4)', undefined, undefined, 'ECONNREFUSED']);
  });
  it('a success between failures resets the count (a flap never reaches Down)', () => {
    expect(run([FAIL, OK, FAIL, OK], 1).map((r) => r.state)).toEqual(['warning', 'up', 'warning', 'up']);
  });
  it('recovery from Down goes Up with an event and resets failures', () => {
    const r = run([FAIL, OK], 0);
    expect(r[1]).toMatchObject({ state: 'up', failures: 0, event: { from: 'down', to: 'up', reason: 'OK', ts: 2000 } });
  });
  it('since changes only with the state', () => {
    let s = initialStatus(0);
    s = applyOutcome('s', s, OK, 1000, 1).status;
    s = applyOutcome('s', s, OK, 2000, 1).status;
    expect(s.since).toBe(1000);
    expect(s.lastCheck).toBe(2000);
  });
});

describe('acknowledgement', () => {
  it('is refused unless Down, kept while Down, cleared on recovery', () => {
    const up = applyOutcome('s', initialStatus(0), OK, 1, 0).status;
    expect(acknowledge(up, 'alice', 2)).toBeUndefined();
    const down = applyOutcome('s', up, FAIL, 3, 0).status;
    const acked = acknowledge(down, 'alice', 4, 'ticket 123')!;
    expect(acked.acknowledged).toEqual({ by: 'alice', at: 4, note: 'ticket 123' });
    const stillDown = applyOutcome('s', acked, FAIL, 5, 0).status;
    expect(stillDown.acknowledged).toEqual({ by: 'alice', at: 4, note: 'ticket 123' });
    const recovered = applyOutcome('s', stillDown, OK, 6, 0).status;
    expect(recovered.acknowledged).toBeUndefined();
    // Down again later: a new outage needs a new acknowledgement.
    expect(applyOutcome('s', recovered, FAIL, 7, 0).status.acknowledged).toBeUndefined();
  });
});

describe('pauses', () => {
  it('priority: user > maintenance > dependency', () => {
    expect(pauseFor(true, 'w', 'm')).toEqual({ reason: 'user', detail: 'paused in the configuration' });
    expect(pauseFor(false, 'w', 'm')).toEqual({ reason: 'maintenance', detail: 'maintenance window w' });
    expect(pauseFor(false, undefined, 'm')).toEqual({ reason: 'dependency', detail: 'master sensor m is Down' });
    expect(pauseFor(false, undefined, undefined)).toBeNull();
  });
  it('pausing keeps the last values, changes of reason are events, resuming goes Unknown', () => {
    const up = applyOutcome('s', initialStatus(0), OK, 1, 0, { responseTimeMs: 5 }).status;
    const p1 = applyPause('s', up, 'dependency', 2, 'master sensor m is Down');
    expect(p1.status).toMatchObject({ state: 'paused', pauseReason: 'dependency', lastValues: { responseTimeMs: 5 }, since: 2 });
    expect(p1.event).toMatchObject({ from: 'up', to: 'paused', pauseReason: 'dependency', reason: 'paused by dependency: master sensor m is Down' });
    expect(applyPause('s', p1.status, 'dependency', 3, 'again').event).toBeUndefined();
    const p2 = applyPause('s', p1.status, 'maintenance', 4, 'maintenance window w');
    expect(p2.event).toMatchObject({ from: 'paused', to: 'paused', pauseReason: 'maintenance' });
    const r = applyPause('s', p2.status, null, 5, 'maintenance ended');
    expect(r.status).toMatchObject({ state: 'unknown', failures: 0, message: 'Resumed: maintenance ended', since: 5 });
    expect(applyPause('s', r.status, null, 6, 'x').event).toBeUndefined();
  });
  it('a pause clears failures and the acknowledgement', () => {
    const down = applyOutcome('s', initialStatus(0), FAIL, 1, 0).status;
    const acked = acknowledge(down, 'bob', 2)!;
    const paused = applyPause('s', acked, 'user', 3, 'paused in the configuration').status;
    expect(paused.failures).toBe(0);
    expect(paused.acknowledged).toBeUndefined();
  });
});
