// The tree through the API: read, create, change and delete sites, probes, groups, devices and
// sensors, and a sensor's channel overrides (name, limits). Every change is an edit of the config
// document (src/config/edit), checked by the loader's schema, saved as a version and applied.
// Also the operator's actions on a node: pause (optionally for a while), resume and check now.

import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { TimerHandle } from '../../core/clock.ts';
import { NODE_TYPES } from '../../core/model.ts';
import { pathOf, resolveSettings } from '../../core/tree.ts';
import { createNode, deleteNode, setChannel, updateNode } from '../../config/edit/nodes.ts';
import { locateNode } from '../../config/edit/locate.ts';
import { duration } from '../../sensors/fields.ts';
import { requireLevel } from '../auth/index.ts';
import { ApiProblem, problem } from '../problem.ts';
import { idParams } from './define.ts';
import type { TimedPause } from '../../store/pauses.ts';
import { audit, principalOf, requireOn, requireSensor, runEdit, type RouteContext } from './context.ts';
import { nodeDetailSchema } from './schemas.ts';

const entrySchema = z.record(z.string(), z.unknown()).describe('The object as written in the YAML config (see GET /api/config/schema)');

const createBody = z.strictObject({
  parent: z.string().min(1).optional().describe('Full id of the parent; absent for a site'),
  type: z.enum(NODE_TYPES),
  entry: entrySchema,
});

const patchBody = z.record(z.string(), z.unknown()).describe('Fields to change as in the YAML config; null removes a field');

const channelParams = z.strictObject({ id: z.string().min(1), channel: z.string().min(1) });
const channelBody = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  limits: z.record(z.string(), z.union([z.number(), z.string()])).optional().describe('upperError, upperWarning, lowerWarning, lowerError and their messages'),
});

const pauseBody = z.strictObject({
  duration: duration({ min: 1 }).optional().describe('Resume by itself after this long (30m, 2h); until resumed when absent'),
  note: z.string().max(1000).optional(),
});

const CHILD_KEYS = ['probes', 'groups', 'devices', 'sensors'];

/** Longest check-now fan-out over a subtree: a click must not queue a whole hospital. */
export const CHECK_NOW_MAX = 1000;

export function nodeRoutes(ctx: RouteContext): void {
  const { svc, routes, app, index } = ctx;
  /** Timed pauses: node id → the timer that resumes it. */
  const resumeTimers = new Map<string, TimerHandle>();
  app.addHook('onClose', async () => {
    for (const t of resumeTimers.values()) svc.clock.clearTimeout(t);
    resumeTimers.clear();
  });
  const cancelTimer = (id: string) => {
    const t = resumeTimers.get(id);
    if (t !== undefined) svc.clock.clearTimeout(t);
    resumeTimers.delete(id);
  };
  const logError = (what: string, e: unknown) => svc.auth.log(`${what}: ${e instanceof Error ? e.message : String(e)}`);

  /** Ends a timed pause: resumes the node (unless it is gone or no longer paused) and forgets the stored pause. */
  const endPause = async (p: TimedPause): Promise<void> => {
    const n = svc.monitor.tree().nodes.get(p.nodeId);
    if (n?.settings.paused === true) {
      const r = await svc.config.edit((c) => updateNode(c.document, p.nodeId, { paused: null }), `pause by ${p.by} ended at ${new Date(p.until).toISOString()}`);
      await svc.auth.audit.record({ actor: 'wardwatch', action: 'node.resume', target: p.nodeId, outcome: r.ok ? 'ok' : 'failed', detail: `timed pause by ${p.by} ended${r.ok ? '' : `: ${'refusal' in r ? r.refusal.detail : `${r.problems.length} validation problem(s)`}`}` });
    }
    // A thrown edit (the file changed on disk) leaves the row: the next start tries again.
    await svc.pauses?.remove(p.nodeId);
  };
  const resumeAt = (p: TimedPause) => {
    cancelTimer(p.nodeId);
    resumeTimers.set(
      p.nodeId,
      svc.clock.setTimeout(() => {
        resumeTimers.delete(p.nodeId);
        endPause(p).catch((e: unknown) => logError(`timed pause of ${p.nodeId} could not end`, e));
      }, Math.max(0, p.until - svc.clock.now())),
    );
  };
  // Pauses stored by an earlier run: re-armed for their time, or ended at once when it passed while stopped.
  app.addHook('onReady', async () => {
    for (const p of (await svc.pauses?.list()) ?? []) {
      if (p.until <= svc.clock.now()) await endPause(p).catch((e: unknown) => logError(`timed pause of ${p.nodeId} could not end at start`, e));
      else resumeAt(p);
    }
  });
  const forgetPause = async (id: string) => {
    cancelTimer(id);
    await svc.pauses?.remove(id);
  };

  routes.add({
    method: 'GET',
    url: '/api/nodes/:id',
    tag: 'nodes',
    summary: 'An object of the tree: its config entry (without children), path and effective settings',
    access: 'read on the object',
    params: idParams,
    response: nodeDetailSchema,
    handler: async (req, _reply, { params }) => {
      const tree = svc.monitor.tree();
      const n = requireOn(req, tree, index, params.id, 'read');
      const entry = { ...(locateNode(svc.config.current().document, n.id)?.entry ?? {}) };
      for (const k of CHILD_KEYS) delete entry[k];
      return {
        id: n.id,
        type: n.type,
        name: n.name,
        parentId: n.parentId ?? null,
        path: pathOf(tree, n.id).map((x) => ({ id: x.id, type: x.type, name: x.name })),
        childCount: n.children.length,
        entry,
        effective: resolveSettings(tree, n.id),
        configVersion: svc.config.current().version,
      };
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/nodes',
    tag: 'nodes',
    summary: 'Creates an object under a parent (a site at the top)',
    access: 'write on the parent (a site: write on the whole tree)',
    body: createBody,
    status: 201,
    handler: async (req, _reply, { body }) => {
      const tree = svc.monitor.tree();
      if (body.parent !== undefined) {
        requireOn(req, tree, index, body.parent, 'write');
      } else requireLevel(req, tree, '*', 'write');
      const done = await runEdit(ctx, req, `${body.type}.create`, body.parent ?? 'sites', (c) => createNode(c.document, body.parent, body.type, body.entry), 'body.entry');
      return { id: done.id, version: done.version, entry: done.after, warnings: done.warnings };
    },
  });

  routes.add({
    method: 'PATCH',
    url: '/api/nodes/:id',
    tag: 'nodes',
    summary: 'Changes fields of an object (as in the YAML; null removes a field). A rename keeps the id.',
    access: 'write on the object',
    params: idParams,
    body: patchBody,
    handler: async (req, _reply, { params, body }) => {
      const tree = svc.monitor.tree();
      const n = requireOn(req, tree, index, params.id, 'write');
      const done = await runEdit(ctx, req, `${n.type}.update`, n.id, (c) => updateNode(c.document, n.id, body));
      return { id: done.id, version: done.version, entry: done.after, warnings: done.warnings };
    },
  });

  routes.add({
    method: 'DELETE',
    url: '/api/nodes/:id',
    tag: 'nodes',
    summary: 'Deletes an object and everything below it',
    access: 'full on the object',
    params: idParams,
    handler: async (req, _reply, { params }) => {
      const tree = svc.monitor.tree();
      const n = requireOn(req, tree, index, params.id, 'full');
      const done = await runEdit(ctx, req, `${n.type}.delete`, n.id, (c) => deleteNode(c.document, n.id));
      await forgetPause(n.id);
      return { id: n.id, version: done.version, deleted: true };
    },
  });

  routes.add({
    method: 'PUT',
    url: '/api/sensors/:id/channels/:channel',
    tag: 'sensors',
    summary: "Sets a channel's display name and limits (replacing the kind's defaults)",
    access: 'write on the sensor',
    params: channelParams,
    body: channelBody,
    handler: async (req, _reply, { params, body }) => {
      const tree = svc.monitor.tree();
      requireSensor(req, tree, index, params.id, 'write');
      const done = await runEdit(ctx, req, 'channel.update', `${params.id}#${params.channel}`, (c) => setChannel(c.document, params.id, params.channel, body));
      return { id: params.id, channel: params.channel, version: done.version, override: done.after, warnings: done.warnings };
    },
  });

  routes.add({
    method: 'DELETE',
    url: '/api/sensors/:id/channels/:channel',
    tag: 'sensors',
    summary: "Removes a channel's override: the kind's default name and limits apply again",
    access: 'write on the sensor',
    params: channelParams,
    handler: async (req, _reply, { params }) => {
      const tree = svc.monitor.tree();
      requireSensor(req, tree, index, params.id, 'write');
      const done = await runEdit(ctx, req, 'channel.reset', `${params.id}#${params.channel}`, (c) => setChannel(c.document, params.id, params.channel, null));
      return { id: params.id, channel: params.channel, version: done.version };
    },
  });

  const setPaused = async (req: FastifyRequest, id: string, paused: boolean, detail?: string) => {
    const done = await runEdit(ctx, req, paused ? 'node.pause' : 'node.resume', id, (c) => updateNode(c.document, id, { paused: paused ? true : null }));
    if (detail !== undefined) await audit(ctx, req, { action: paused ? 'node.pause' : 'node.resume', target: id, outcome: 'ok', detail });
    return done;
  };

  routes.add({
    method: 'POST',
    url: '/api/nodes/:id/pause',
    tag: 'nodes',
    summary: 'Pauses an object and everything below it, until resumed or for a duration',
    access: 'acknowledge on the object',
    params: idParams,
    body: pauseBody.optional(),
    handler: async (req, _reply, { params, body }) => {
      const tree = svc.monitor.tree();
      const n = requireOn(req, tree, index, params.id, 'acknowledge');
      await forgetPause(n.id);
      const until = body?.duration !== undefined ? svc.clock.now() + body.duration * 1000 : null;
      const pause: TimedPause | undefined = until !== null ? { nodeId: n.id, until, by: principalOf(req).name, ...(body?.note !== undefined ? { note: body.note } : {}) } : undefined;
      // Stored before the edit: a crash in between leaves a row that finds the node not paused and is dropped.
      if (pause) await svc.pauses?.put(pause);
      let done;
      try {
        done = await setPaused(req, n.id, true, body?.note);
      } catch (e) {
        if (pause) await svc.pauses?.remove(n.id);
        throw e;
      }
      if (pause) resumeAt(pause);
      return { id: n.id, paused: true, until, version: done.version };
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/nodes/:id/resume',
    tag: 'nodes',
    summary: 'Resumes an object paused by a user',
    access: 'acknowledge on the object',
    params: idParams,
    handler: async (req, _reply, { params }) => {
      const tree = svc.monitor.tree();
      const n = requireOn(req, tree, index, params.id, 'acknowledge');
      if (n.settings.paused !== true) throw new ApiProblem(problem('API_CONFLICT', `"${n.id}" is not paused by a user${resolveSettings(tree, n.id).paused ? ' (an object above it is: resume that one)' : ''}`));
      await forgetPause(n.id);
      const done = await setPaused(req, n.id, false);
      return { id: n.id, paused: false, version: done.version };
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/nodes/:id/check-now',
    tag: 'nodes',
    summary: `Checks a sensor, or every sensor below an object (at most ${CHECK_NOW_MAX}), as soon as possible`,
    access: 'acknowledge on the object',
    params: idParams,
    status: 202,
    handler: async (req, _reply, { params }) => {
      const tree = svc.monitor.tree();
      const n = requireOn(req, tree, index, params.id, 'acknowledge');
      const sensors: string[] = [];
      const walk = (id: string) => {
        const x = tree.nodes.get(id);
        if (!x || sensors.length > CHECK_NOW_MAX) return;
        if (x.type === 'sensor') sensors.push(id);
        else x.children.forEach(walk);
      };
      walk(n.id);
      if (sensors.length > CHECK_NOW_MAX) throw new ApiProblem(problem('BAD_REQUEST', `"${n.id}" has more than ${CHECK_NOW_MAX} sensors: check a smaller part of the tree`));
      const started = sensors.filter((id) => svc.monitor.checkNow(id));
      if (n.type === 'sensor' && started.length === 0) throw new ApiProblem(problem('SENSOR_BUSY', `sensor "${n.id}" is ${svc.monitor.status(n.id)?.state ?? 'unknown'} or already running`));
      await audit(ctx, req, { action: 'node.check-now', target: n.id, outcome: 'ok', detail: `${started.length} of ${sensors.length} sensors queued` });
      return { id: n.id, started: started.length, skipped: sensors.length - started.length };
    },
  });
}
