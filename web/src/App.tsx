// The console's shell: decides between first-run setup, login and the pages; the navigation bar
// with search (press "/"), the theme toggle and logout; keyboard shortcuts ("g" then a letter).

import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { errorText, setUnauthorizedHandler } from './api.ts';
import { loadAuthState, logout, type AuthState } from './auth.ts';
import { Link, navigate, useLocation } from './router.tsx';
import { applyTheme, effectiveDark, storedTheme, type ThemeChoice } from './theme.ts';
import { LoginPage } from './pages/Login.tsx';
import { SetupPage } from './pages/Setup.tsx';
import { Routes } from './Routes.tsx';

const NAV: readonly { to: string; label: string; key: string; admin?: boolean }[] = [
  { to: '/', label: 'Overview', key: 'o' },
  { to: '/tree', label: 'Tree', key: 't' },
  { to: '/alerts', label: 'Alerts', key: 'a' },
  { to: '/notifications', label: 'Notifications', key: 'n' },
  { to: '/security', label: 'Security', key: 'y' },
  { to: '/maintenance', label: 'Maintenance', key: 'm' },
  { to: '/rules', label: 'Rules', key: 'r' },
  { to: '/probes', label: 'Probes', key: 'p' },
  { to: '/users', label: 'Users', key: 'u', admin: true },
  { to: '/audit', label: 'Audit log', key: 'l', admin: true },
  { to: '/settings', label: 'Settings', key: 's' },
];

export function App() {
  const [auth, setAuth] = useState<AuthState | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const loc = useLocation();

  const refresh = useCallback(() => {
    loadAuthState().then(
      (s) => {
        setAuth(s);
        setLoadError(undefined);
      },
      (e: unknown) => setLoadError(errorText(e)),
    );
  }, []);

  useEffect(() => {
    refresh();
    setUnauthorizedHandler(() => setAuth((a) => (a ? { setupRequired: false } : a)));
    return () => setUnauthorizedHandler(undefined);
  }, [refresh]);

  if (loadError)
    return (
      <main className="center-card" role="alert">
        <h1>Wardwatch</h1>
        <p>{loadError}</p>
        <button type="button" onClick={refresh}>
          Try again
        </button>
      </main>
    );
  if (!auth)
    return (
      <main className="center-card" aria-busy="true">
        Loading…
      </main>
    );
  if (auth.setupRequired)
    return (
      <SetupPage
        token={loc.query.get('token') ?? ''}
        onDone={() => {
          navigate('/', { replace: true });
          refresh();
        }}
      />
    );
  if (!auth.user) return <LoginPage onLoggedIn={(s) => setAuth(s)} />;
  return (
    <Shell
      auth={auth}
      onLogout={() => {
        logout().then(
          () => {
            setAuth({ setupRequired: false });
            navigate('/', { replace: true });
          },
          () => setAuth({ setupRequired: false }),
        );
      }}
    />
  );
}

function Shell({ auth, onLogout }: { auth: AuthState; onLogout: () => void }) {
  const loc = useLocation();
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  const [query, setQuery] = useState('');
  const [help, setHelp] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const mainRef = useRef<HTMLElement>(null);
  const admin = auth.user?.admin === true;

  useEffect(() => applyTheme(theme), [theme]);

  // Move focus to the page's heading after navigation, so that screen readers and keyboard users
  // start at the new content rather than at the link they activated.
  useEffect(() => {
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [loc.path]);

  useEffect(() => {
    let pendingG = false;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      if (e.key === 'Escape') setHelp(false);
      if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
        return;
      }
      if (e.key === '?') {
        setHelp((h) => !h);
        return;
      }
      if (pendingG) {
        pendingG = false;
        const item = NAV.find((n) => n.key === e.key && (!n.admin || admin));
        if (item) navigate(item.to);
        return;
      }
      if (e.key === 'g') pendingG = true;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [admin]);

  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/tree?q=${encodeURIComponent(query.trim())}`);
  };
  const dark = effectiveDark(theme);

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Wardwatch
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.admin || admin).map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={isCurrent(loc.path, n.to) ? 'page' : undefined} title={`g then ${n.key}`}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <form role="search" onSubmit={onSearch} className="search">
          <label htmlFor="global-search" className="visually-hidden">
            Search sensors and devices
          </label>
          <input id="global-search" ref={searchRef} type="search" placeholder="Search  ( / )" value={query} onChange={(e) => setQuery(e.target.value)} />
        </form>
        <button type="button" className="ghost" onClick={() => setTheme(dark ? 'light' : 'dark')} aria-pressed={dark} title="Toggle dark theme">
          {dark ? '☀ Light' : '☾ Dark'}
        </button>
        <span className="who" title={auth.user?.login}>
          {auth.user?.name}
        </span>
        <button type="button" className="ghost" onClick={onLogout}>
          Log out
        </button>
      </header>
      {help ? <ShortcutHelp onClose={() => setHelp(false)} admin={admin} /> : null}
      <main id="main" ref={mainRef} tabIndex={-1}>
        <Routes loc={loc} admin={admin} theme={theme} setTheme={setTheme} />
      </main>
    </div>
  );
}

function isCurrent(path: string, to: string): boolean {
  if (to === '/') return path === '/';
  return path === to || path.startsWith(`${to}/`);
}

function ShortcutHelp({ onClose, admin }: { onClose: () => void; admin: boolean }) {
  return (
    <aside className="help" role="dialog" aria-label="Keyboard shortcuts">
      <h2>Keyboard shortcuts</h2>
      <dl>
        <dt>/</dt>
        <dd>Search</dd>
        <dt>?</dt>
        <dd>Show or hide this help</dd>
        {NAV.filter((n) => !n.admin || admin).map((n) => (
          <div key={n.key}>
            <dt>g {n.key}</dt>
            <dd>{n.label}</dd>
          </div>
        ))}
        <dt>↑ ↓ → ←</dt>
        <dd>Move, open and close in the tree</dd>
      </dl>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </aside>
  );
}
