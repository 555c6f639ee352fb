// Maintenance windows: while one is active, the sensors it covers are paused (no false alarms
// during a planned PACS upgrade) and alerts are held.

import { ConfigList } from '../components/ConfigList.tsx';

export function describeWindow(e: Record<string, unknown>): string {
  const once = e.once as { start?: string; end?: string } | undefined;
  const weekly = e.weekly as { days?: string[]; start?: string; duration?: string } | undefined;
  const parts: string[] = [];
  if (typeof e.description === 'string') parts.push(e.description);
  if (once) parts.push(`once ${once.start ?? '?'} to ${once.end ?? '?'}`);
  if (weekly) parts.push(`every ${(weekly.days ?? []).join(', ')} at ${weekly.start ?? '?'} for ${weekly.duration ?? '?'}`);
  if (typeof e.cron === 'string') parts.push(`cron ${e.cron}`);
  return parts.join(' · ');
}

export function MaintenancePage() {
  return (
    <section>
      <h1 tabIndex={-1}>Maintenance windows</h1>
      <ConfigList
        url="/api/maintenance"
        noun="Maintenance window"
        example={{ name: 'pacs-upgrade', description: 'PACS version upgrade', once: { start: '2026-12-01T22:00', end: '2026-12-02T02:00' } }}
        describe={describeWindow}
      />
    </section>
  );
}
