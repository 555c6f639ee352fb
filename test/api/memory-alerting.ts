// An in-memory AlertingService (the interface the alerting part implements) for the API tests.

import type { AlertingService, AlertQuery, AlertSummary } from '../../src/alerting/service.ts';

export class MemoryAlerting implements AlertingService {
  readonly list: AlertSummary[] = [];
  readonly tokens = new Map<string, { alertId: string; recipient: string }>();
  async alerts(q: AlertQuery): Promise<AlertSummary[]> {
    return this.list.filter((a) => (q.state === undefined || a.state === q.state) && (q.nodeId === undefined || a.nodeId === q.nodeId || a.nodeId.startsWith(`${q.nodeId}/`))).slice(0, q.limit ?? 100);
  }
  async alert(id: string): Promise<AlertSummary | undefined> {
    return this.list.find((a) => a.id === id);
  }
  async acknowledge(alertId: string, by: string, note: string | undefined, via: 'console' | 'api' | 'link'): Promise<AlertSummary> {
    const i = this.list.findIndex((a) => a.id === alertId);
    const a = this.list[i]!;
    const next: AlertSummary = { ...a, state: 'acknowledged', acknowledged: { by, at: 1, via, ...(note !== undefined ? { note } : {}) } };
    this.list[i] = next;
    return next;
  }
  verifyAckToken(token: string) {
    const t = this.tokens.get(token);
    return t ? ({ ok: true, ...t } as const) : ({ ok: false, reason: 'the link is invalid or expired' } as const);
  }
  async securityFinding(): Promise<void> {}
}

export const alert = (id: string, nodeId: string): AlertSummary => ({ id, ruleName: 'down', nodeId, title: `<b>${nodeId}</b> is Down`, state: 'open', severity: 'critical', openedAt: 1000, sensorIds: [nodeId], affectedDependents: 0, escalationStep: 0 });

