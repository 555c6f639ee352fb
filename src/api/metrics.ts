// GET /metrics: Prometheus text format (0.0.4) — sensor states, last channel values and Wardwatch's
// own health — for Grafana and existing Prometheus setups. Needs a bearer token (or a session) and
// shows only the sensors the token may read.

import type { STATES } from '../core/model.ts';
import { effectiveChannels } from '../core/tree.ts';
import { ApiProblem, problem } from './problem.ts';
import type { RouteContext } from './routes/context.ts';
import { visibility } from './routes/context.ts';

/** State as a number, for alerting rules in Prometheus (documented in the HELP line). */
export const STATE_CODE: Readonly<Record<(typeof STATES)[number], number>> = { up: 0, warning: 1, down: 2, paused: 3, unknown: 4 };

export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(l: Readonly<Record<string, string | undefined>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(l)) if (v !== undefined) parts.push(`${k}="${escapeLabel(v)}"`);
  return `{${parts.join(',')}}`;
}

function metricName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}

export function metricsRoutes(ctx: RouteContext): void {
  const { svc, routes, index } = ctx;
  routes.add({
    method: 'GET',
    url: '/metrics',
    tag: 'metrics',
    summary: 'Prometheus metrics: sensor states, last channel values, Wardwatch health',
    access: 'a bearer token (or session) with read; only readable sensors',
    produces: ['text/plain; version=0.0.4'],
    handler: async (req, reply) => {
      if (!req.principal) throw new ApiProblem(problem('AUTH_REQUIRED', 'GET /metrics needs Authorization: Bearer <token> (an API token with read scope)'));
      const tree = index.tree();
      const vis = visibility(req, tree, index);
      const out: string[] = [];
      const head = (name: string, help: string, type = 'gauge') => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

      const rows: { id: string; l: string; state: (typeof STATES)[number]; values: Readonly<Record<string, number>>; units: Map<string, string> }[] = [];
      const totals = new Map<string, number>();
      for (const n of tree.nodes.values()) {
        if (n.type !== 'sensor' || !vis.canRead(n.id)) continue;
        const st = svc.monitor.status(n.id);
        const state = st?.state ?? 'unknown';
        const device = n.parentId === undefined ? undefined : tree.nodes.get(n.parentId);
        const site = n.id.split('/')[0];
        const system = index.systemOf(n.id);
        const l = labels({ sensor: n.id, name: n.name, device: device?.name, site, system, kind: n.kind });
        const kind = svc.monitor.kindOf(n.kind);
        const units = new Map(effectiveChannels(kind?.channels ?? [], n.channels).map((c) => [c.key, c.unit]));
        rows.push({ id: n.id, l, state, values: st?.lastValues ?? {}, units });
        const tk = `${state}\u0000${system ?? 'other'}`;
        totals.set(tk, (totals.get(tk) ?? 0) + 1);
      }
      head('wardwatch_sensor_up', 'Whether the sensor is Up or Warning (1) or not (0)');
      for (const r of rows) out.push(`wardwatch_sensor_up${r.l} ${r.state === 'up' || r.state === 'warning' ? 1 : 0}`);
      head('wardwatch_sensor_state', 'Sensor state: 0 up, 1 warning, 2 down, 3 paused, 4 unknown');
      for (const r of rows) out.push(`wardwatch_sensor_state${r.l} ${STATE_CODE[r.state]}`);
      head('wardwatch_channel_value', 'Last value of each channel of each sensor');
      for (const r of rows) {
        const base = r.l.slice(0, -1);
        for (const [key, v] of Object.entries(r.values)) out.push(`wardwatch_channel_value${base},channel="${escapeLabel(key)}",unit="${escapeLabel(r.units.get(key) ?? 'value')}"} ${num(v)}`);
      }
      head('wardwatch_sensors', 'Sensors per state and clinical system');
      for (const [k, v] of totals) {
        const [state, system] = k.split('\u0000');
        out.push(`wardwatch_sensors${labels({ state, system })} ${v}`);
      }

      head('wardwatch_build_info', 'Wardwatch version');
      out.push(`wardwatch_build_info${labels({ version: svc.version })} 1`);
      head('wardwatch_config_version', 'Version of the running configuration');
      out.push(`wardwatch_config_version ${svc.config.current().version}`);
      const flat = (prefix: string, o: Readonly<Record<string, unknown>>) => {
        for (const [k, v] of Object.entries(o)) {
          const name = `${prefix}_${metricName(k)}`;
          if (typeof v === 'number') {
            head(name, `Wardwatch health: ${k}`);
            out.push(`${name} ${num(v)}`);
          } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) flat(name, v as Record<string, unknown>);
        }
      };
      flat('wardwatch_probe', svc.monitor.health());
      const mem = process.memoryUsage();
      head('wardwatch_process_resident_memory_bytes', 'Resident memory of the Wardwatch process');
      out.push(`wardwatch_process_resident_memory_bytes ${mem.rss}`);
      head('wardwatch_process_heap_used_bytes', 'V8 heap in use');
      out.push(`wardwatch_process_heap_used_bytes ${mem.heapUsed}`);
      head('wardwatch_process_uptime_seconds', 'Seconds since the process started');
      out.push(`wardwatch_process_uptime_seconds ${Math.round(process.uptime())}`);
      return reply.type('text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store').send(`${out.join('\n')}\n`);
    },
  });
}
