// The tree: virtualised (only the rows on screen exist in the DOM), children loaded a page at a
// time when a node is opened, filterable by state and clinical system, searchable by name and tag.
// Keyboard: ↑/↓ move, → opens, ← closes or goes to the parent, Enter opens the page.

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { api, qs } from '../api.ts';
import { useApi, useDebounced } from '../hooks.ts';
import { subscribeLive } from '../live.ts';
import { Link, navigate, nodeHref, sensorHref } from '../router.tsx';
import { StateBadge, StateCounts, STATES, type State } from '../components/StateBadge.tsx';
import { ErrorBox } from '../components/Field.tsx';

export interface TreeItem {
  readonly id: string;
  readonly type: 'site' | 'probe' | 'group' | 'device' | 'sensor';
  readonly name: string;
  readonly state?: State;
  readonly acknowledged?: boolean;
  readonly pauseReason?: string;
  readonly message?: string;
  readonly system?: string;
  readonly host?: string;
  readonly kind?: string;
  readonly counts?: Partial<Record<State, number>>;
  /** How many children it has (absent: a sensor, or unknown until opened). */
  readonly childCount?: number;
  readonly path?: string | undefined;
  readonly parentId?: string | null;
}

interface Page {
  readonly items: readonly TreeItem[];
  readonly total: number;
}

interface Loaded {
  items: TreeItem[];
  total: number;
  loading: boolean;
  error?: string;
}

const PAGE = 200;
const ROW_PX = 34;
const ROOT = '';

type Row = { kind: 'node'; item: TreeItem; depth: number; parent: string } | { kind: 'more'; parent: string; depth: number; loaded: number; total: number };

export function TreePage({ initialQuery }: { initialQuery: string }) {
  const params = new URLSearchParams(window.location.search);
  const [query, setQuery] = useState(initialQuery);
  const [stateFilter, setStateFilter] = useState<string>(params.get('state') ?? '');
  const [system, setSystem] = useState<string>(params.get('system') ?? '');
  const root = params.get('root') ?? undefined;
  const q = useDebounced(query.trim(), 250);
  const searching = q !== '' || stateFilter !== '' || system !== '';

  useEffect(() => setQuery(initialQuery), [initialQuery]);

  return (
    <section className="tree-page">
      <h1 tabIndex={-1}>Tree</h1>
      <div className="toolbar" role="search">
        <label htmlFor="tree-filter">Filter by name or tag</label>
        <input id="tree-filter" type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="name, host or tag" aria-controls="tree-list" />
        <label htmlFor="tree-state">State</label>
        <select id="tree-state" value={stateFilter} onChange={(e) => setStateFilter(e.target.value)}>
          <option value="">any</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label htmlFor="tree-system">Clinical system</label>
        <select id="tree-system" value={system} onChange={(e) => setSystem(e.target.value)}>
          <option value="">any</option>
          {['HIS', 'LIMS', 'RIS', 'PACS', 'modality', 'interface-engine', 'network', 'other'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {root && !searching ? (
        <p className="muted">
          Showing what is below <code>{root}</code> · <Link to="/tree">the whole tree</Link>
        </p>
      ) : null}
      {searching ? <SearchResults q={q} state={stateFilter} system={system} /> : <LazyTree root={root} />}
    </section>
  );
}

function SearchResults({ q, state, system }: { q: string; state: string; system: string }) {
  // Search covers the whole tree (what the user may read); results show where each one is.
  const res = useApi<Page>(`/api/search${qs({ q, state, system, limit: 1000 })}`);
  const rows: Row[] = useMemo(() => (res.data?.items ?? []).map((item) => ({ kind: 'node', item: { ...item, path: item.path ?? item.parentId ?? undefined }, depth: 0, parent: ROOT })), [res.data]);
  return (
    <>
      <ErrorBox error={res.error} />
      <p className="muted" aria-live="polite">
        {res.loading ? 'Searching…' : `${res.data?.total ?? 0} found${(res.data?.total ?? 0) > rows.length ? `, showing the first ${rows.length}` : ''}`}
      </p>
      <VirtualRows rows={rows} expanded={new Set()} toggle={() => undefined} loadMore={() => undefined} flat />
    </>
  );
}

function LazyTree({ root }: { root?: string | undefined }) {
  const [loaded, setLoaded] = useState<Map<string, Loaded>>(() => new Map());
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const loadedRef = useRef(loaded);
  loadedRef.current = loaded;

  const load = useCallback(
    (parent: string, offset: number) => {
      const prev = loadedRef.current.get(parent);
      if (prev?.loading) return;
      setLoaded((m) => new Map(m).set(parent, { items: prev?.items ?? [], total: prev?.total ?? 0, loading: true }));
      const parentParam = parent === ROOT ? root : parent;
      api<Page>(`/api/tree${qs({ parent: parentParam, offset, limit: PAGE })}`).then(
        (page) =>
          setLoaded((m) => {
            const cur = m.get(parent);
            const items = offset === 0 ? [...page.items] : [...(cur?.items ?? []), ...page.items];
            return new Map(m).set(parent, { items, total: page.total, loading: false });
          }),
        (e: unknown) => setLoaded((m) => new Map(m).set(parent, { items: prev?.items ?? [], total: prev?.total ?? 0, loading: false, error: e instanceof Error ? e.message : String(e) })),
      );
    },
    [root],
  );

  useEffect(() => load(ROOT, 0), [load]);

  // State changes arrive live for the subtrees shown (the top rows and every open node); a changed
  // sensor's row updates in place, an open node's counts too.
  const topIds = (loaded.get(ROOT)?.items ?? []).map((i) => i.id);
  const followed = [...new Set([...(root ? [root] : topIds), ...expanded])].sort().join(',');
  useEffect(
    () =>
      subscribeLive(followed ? followed.split(',') : [], {
        onCounts: (c) =>
          setLoaded((m) => {
            let changed = false;
            const next = new Map(m);
            for (const [k, v] of m) {
              const i = v.items.findIndex((it) => it.id === c.nodeId);
              if (i < 0) continue;
              const items = [...v.items];
              items[i] = { ...items[i]!, counts: c.counts };
              next.set(k, { ...v, items });
              changed = true;
            }
            return changed ? next : m;
          }),
        onState: (s) =>
          setLoaded((m) => {
            let changed = false;
            const next = new Map(m);
            for (const [k, v] of m) {
              const i = v.items.findIndex((it) => it.id === s.sensorId);
              if (i < 0) continue;
              const items = [...v.items];
              items[i] = { ...items[i]!, state: s.state as State, acknowledged: s.acknowledged ?? false, ...(s.message !== undefined ? { message: s.message } : {}) };
              next.set(k, { ...v, items });
              changed = true;
            }
            return changed ? next : m;
          }),
      }),
    [followed],
  );

  const toggle = useCallback(
    (id: string, open?: boolean) => {
      setExpanded((s) => {
        const n = new Set(s);
        const willOpen = open ?? !n.has(id);
        if (willOpen) n.add(id);
        else n.delete(id);
        return n;
      });
      if (open !== false && !loadedRef.current.has(id)) load(id, 0);
    },
    [load],
  );

  const rows = useMemo(() => {
    const out: Row[] = [];
    const walk = (parent: string, depth: number) => {
      const l = loaded.get(parent);
      if (!l) return;
      for (const item of l.items) {
        out.push({ kind: 'node', item, depth, parent });
        if (expanded.has(item.id)) walk(item.id, depth + 1);
      }
      if (l.items.length < l.total || l.loading) out.push({ kind: 'more', parent, depth, loaded: l.items.length, total: l.total });
    };
    walk(ROOT, 0);
    return out;
  }, [loaded, expanded]);

  const rootState = loaded.get(ROOT);
  return (
    <>
      {rootState?.error ? <ErrorBox error={rootState.error} /> : null}
      <VirtualRows rows={rows} expanded={expanded} toggle={toggle} loadMore={(parent, offset) => load(parent, offset)} />
    </>
  );
}

function VirtualRows({ rows, expanded, toggle, loadMore, flat }: { rows: readonly Row[]; expanded: ReadonlySet<string>; toggle: (id: string, open?: boolean) => void; loadMore: (parent: string, offset: number) => void; flat?: boolean }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_PX, overscan: 12 });
  const items = v.getVirtualItems();

  // A "load more" row that scrolls into view fetches the next page: no button to find at 3 a.m.
  useEffect(() => {
    for (const vi of items) {
      const r = rows[vi.index];
      if (r?.kind === 'more' && r.loaded < r.total) loadMore(r.parent, r.loaded);
    }
  }, [items, rows, loadMore]);

  const focusRow = (i: number) => {
    const idx = Math.max(0, Math.min(rows.length - 1, i));
    setActive(idx);
    v.scrollToIndex(idx);
    // A row on screen takes focus now; one scrolled into view exists only after the next render.
    const row = () => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${idx}"][role="treeitem"]`);
    const now = row();
    if (now) now.focus();
    else window.requestAnimationFrame(() => row()?.focus());
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>, i: number, row: Row) => {
    if (row.kind !== 'node') return;
    const it = row.item;
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        focusRow(i + 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        focusRow(i - 1);
        break;
      case 'ArrowRight':
        e.preventDefault();
        if (it.type !== 'sensor' && !expanded.has(it.id)) toggle(it.id, true);
        else focusRow(i + 1);
        break;
      case 'ArrowLeft': {
        e.preventDefault();
        if (expanded.has(it.id)) toggle(it.id, false);
        else {
          const p = rows.findIndex((r) => r.kind === 'node' && r.item.id === row.parent);
          if (p >= 0) focusRow(p);
        }
        break;
      }
      case 'Home':
        e.preventDefault();
        focusRow(0);
        break;
      case 'End':
        e.preventDefault();
        focusRow(rows.length - 1);
        break;
      case 'Enter':
        e.preventDefault();
        navigate(it.type === 'sensor' ? sensorHref(it.id) : nodeHref(it.id));
        break;
      default:
    }
  };

  return (
    <div ref={scrollRef} className="tree-scroll" id="tree-list" role="tree" aria-label="Monitored objects">
      <div className="tree-inner" ref={(el) => el?.style.setProperty('height', `${v.getTotalSize()}px`)}>
        {items.map((vi) => {
          const row = rows[vi.index]!;
          const place = (el: HTMLDivElement | null) => {
            if (!el) return;
            el.style.transform = `translateY(${vi.start}px)`;
            el.style.paddingLeft = `${0.5 + row.depth * 1.25}rem`;
          };
          if (row.kind === 'more')
            return (
              <div key={`more:${row.parent}`} ref={place} className="tree-row more" data-index={vi.index} role="none">
                <span className="muted">{row.total > 0 ? `Loading ${row.loaded} of ${row.total}…` : 'Loading…'}</span>
              </div>
            );
          const it = row.item;
          const isOpen = expanded.has(it.id);
          const href = it.type === 'sensor' ? sensorHref(it.id) : nodeHref(it.id);
          return (
            <div
              key={it.id}
              ref={place}
              className={`tree-row type-${it.type}${vi.index === active ? ' active' : ''}`}
              data-index={vi.index}
              role="treeitem"
              aria-level={row.depth + 1}
              aria-expanded={it.type === 'sensor' || flat ? undefined : isOpen}
              tabIndex={vi.index === active ? 0 : -1}
              onFocus={() => setActive(vi.index)}
              onKeyDown={(e) => onKey(e, vi.index, row)}
            >
              {it.type !== 'sensor' && !flat ? (
                <button type="button" className="twisty" tabIndex={-1} aria-label={isOpen ? `Close ${it.name}` : `Open ${it.name}`} onClick={() => toggle(it.id)}>
                  {isOpen ? '▾' : '▸'}
                </button>
              ) : (
                <span className="twisty" aria-hidden="true" />
              )}
              <span className="node-type">{it.type}</span>
              <a
                href={href}
                tabIndex={-1}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(href);
                }}
              >
                {it.name}
              </a>
              {flat && it.path ? <span className="muted small">{it.path}</span> : null}
              {it.type === 'sensor' ? (
                <>
                  <StateBadge state={it.state ?? 'unknown'} acknowledged={it.acknowledged ?? false} pauseReason={it.pauseReason} />
                  {it.message ? <span className="muted small ellipsis">{it.message}</span> : null}
                </>
              ) : (
                <>
                  {it.host ? <span className="muted small">{it.host}</span> : null}
                  {it.counts ? <StateCounts counts={it.counts} label={`${it.name}: states below`} /> : null}
                </>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
