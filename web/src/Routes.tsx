// Which page a path shows. Ids of tree objects contain slashes, so they travel URL-encoded.
// The overview and the tree (the first paint of a shift) are in the main bundle; every other page
// is loaded when first opened, so that the first paint does not wait for the graph library or the
// administration forms.

import { lazy, Suspense, type ReactNode } from 'react';
import type { Location } from './router.tsx';
import type { ThemeChoice } from './theme.ts';
import { OverviewPage } from './pages/Overview.tsx';
import { TreePage } from './pages/Tree.tsx';

const SensorPage = lazy(() => import('./pages/Sensor.tsx').then((m) => ({ default: m.SensorPage })));
const NodePage = lazy(() => import('./pages/Node.tsx').then((m) => ({ default: m.NodePage })));
const AlertsPage = lazy(() => import('./pages/Alerts.tsx').then((m) => ({ default: m.AlertsPage })));
const MaintenancePage = lazy(() => import('./pages/Maintenance.tsx').then((m) => ({ default: m.MaintenancePage })));
const RulesPage = lazy(() => import('./pages/Rules.tsx').then((m) => ({ default: m.RulesPage })));
const UsersPage = lazy(() => import('./pages/Users.tsx').then((m) => ({ default: m.UsersPage })));
const AuditPage = lazy(() => import('./pages/Audit.tsx').then((m) => ({ default: m.AuditPage })));
const SecurityPage = lazy(() => import('./pages/Security.tsx').then((m) => ({ default: m.SecurityPage })));
const ProbesPage = lazy(() => import('./pages/Probes.tsx').then((m) => ({ default: m.ProbesPage })));
const NotificationsPage = lazy(() => import('./pages/Notifications.tsx').then((m) => ({ default: m.NotificationsPage })));
const SettingsPage = lazy(() => import('./pages/Settings.tsx').then((m) => ({ default: m.SettingsPage })));

function Later({ children }: { children: ReactNode }) {
  return <Suspense fallback={<p aria-busy="true">Loading…</p>}>{children}</Suspense>;
}

export function Routes({ loc, admin, theme, setTheme }: { loc: Location; admin: boolean; theme: ThemeChoice; setTheme: (t: ThemeChoice) => void }) {
  const p = loc.path;
  const param = (prefix: string) => (p.startsWith(prefix) ? decodeURIComponent(p.slice(prefix.length)) : undefined);
  const sensorId = param('/sensors/');
  if (sensorId)
    return (
      <Later>
        <SensorPage key={sensorId} id={sensorId} />
      </Later>
    );
  const nodeId = param('/nodes/');
  if (nodeId)
    return (
      <Later>
        <NodePage key={nodeId} id={nodeId} />
      </Later>
    );
  switch (p) {
    case '/':
    case '/setup':
      return <OverviewPage />;
    case '/tree':
      // A new URL (a search from the top bar, a link from the overview) starts the tree afresh.
      return <TreePage key={loc.query.toString()} initialQuery={loc.query.get('q') ?? ''} />;
    case '/alerts':
      return (
        <Later>
          <AlertsPage />
        </Later>
      );
    case '/security':
      return (
        <Later>
          <SecurityPage key={loc.query.toString()} admin={admin} device={loc.query.get('device') ?? undefined} />
        </Later>
      );
    case '/probes':
      return (
        <Later>
          <ProbesPage admin={admin} />
        </Later>
      );
    case '/notifications':
      return (
        <Later>
          <NotificationsPage />
        </Later>
      );
    case '/maintenance':
      return (
        <Later>
          <MaintenancePage />
        </Later>
      );
    case '/rules':
      return (
        <Later>
          <RulesPage />
        </Later>
      );
    case '/users':
      return admin ? (
        <Later>
          <UsersPage />
        </Later>
      ) : (
        <Denied />
      );
    case '/audit':
      return admin ? (
        <Later>
          <AuditPage />
        </Later>
      ) : (
        <Denied />
      );
    case '/settings':
      return (
        <Later>
          <SettingsPage admin={admin} theme={theme} setTheme={setTheme} />
        </Later>
      );
    default:
      return (
        <section>
          <h1 tabIndex={-1}>Not found</h1>
          <p>The console has no page at {p}.</p>
        </section>
      );
  }
}

function Denied() {
  return (
    <section>
      <h1 tabIndex={-1}>Administrators only</h1>
      <p>This page needs administrator rights.</p>
    </section>
  );
}
