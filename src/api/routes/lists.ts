// The configuration's global named lists through the API: maintenance windows (`maintenance:`) and
// alerting rules (`alerting.rules:`). Each entry is written as in the YAML and checked by the same
// schema; problems name the body field. Changing them needs write on the whole tree.

import { z } from 'zod';
import { createNamed, deleteNamed, MAINTENANCE_LIST, namedEntries, replaceNamed, RULE_LIST, type NamedList } from '../../config/edit/nodes.ts';
import { atLeast, type AccessLevel } from '../access.ts';
import { ApiProblem, problem } from '../problem.ts';
import type { FastifyRequest } from 'fastify';
import { globalLevel, principalOf, runEdit, type RouteContext } from './context.ts';

const nameParams = z.strictObject({ name: z.string().min(1).max(200) });
const entryBody = z.record(z.string(), z.unknown());

interface ListRoutes {
  readonly list: NamedList;
  readonly url: string;
  readonly tag: string;
  /** Singular, for summaries and audit actions. */
  readonly noun: string;
  readonly action: string;
  readonly readLevel: AccessLevel;
}

function namedListRoutes(ctx: RouteContext, l: ListRoutes): void {
  const { svc, routes } = ctx;
  const need = (req: FastifyRequest, level: AccessLevel, what: string) => {
    const p = principalOf(req);
    const have = globalLevel(p, svc.monitor.tree());
    if (!atLeast(have, level)) throw new ApiProblem(problem('FORBIDDEN', `${what} needs ${level} on the whole tree, has ${have}`));
  };

  routes.add({
    method: 'GET',
    url: l.url,
    tag: l.tag,
    summary: `The ${l.noun}s`,
    access: `${l.readLevel} on the whole tree`,
    handler: async (req) => {
      need(req, l.readLevel, `listing ${l.noun}s`);
      const items = namedEntries(svc.config.current().document, l.list);
      return { items, total: items.length };
    },
  });

  routes.add({
    method: 'GET',
    url: `${l.url}/:name`,
    tag: l.tag,
    summary: `One ${l.noun}`,
    access: `${l.readLevel} on the whole tree`,
    params: nameParams,
    handler: async (req, _reply, { params }) => {
      need(req, l.readLevel, `reading a ${l.noun}`);
      const item = namedEntries(svc.config.current().document, l.list).find((e) => e.name === params.name);
      if (!item) throw new ApiProblem(problem('NOT_FOUND', `no ${l.noun} named "${params.name}"`));
      return item;
    },
  });

  routes.add({
    method: 'POST',
    url: l.url,
    tag: l.tag,
    summary: `Creates a ${l.noun} (as written in the YAML)`,
    access: 'write on the whole tree',
    body: entryBody,
    status: 201,
    handler: async (req, _reply, { body }) => {
      need(req, 'write', `creating a ${l.noun}`);
      const done = await runEdit(ctx, req, `${l.action}.create`, `${l.action}:${String(body.name)}`, (c) => createNamed(c.document, l.list, body));
      return { version: done.version, entry: done.after, warnings: done.warnings };
    },
  });

  routes.add({
    method: 'PUT',
    url: `${l.url}/:name`,
    tag: l.tag,
    summary: `Replaces a ${l.noun}`,
    access: 'write on the whole tree',
    params: nameParams,
    body: entryBody,
    handler: async (req, _reply, { params, body }) => {
      need(req, 'write', `changing a ${l.noun}`);
      const done = await runEdit(ctx, req, `${l.action}.update`, `${l.action}:${params.name}`, (c) => replaceNamed(c.document, l.list, params.name, body));
      return { version: done.version, entry: done.after, warnings: done.warnings };
    },
  });

  routes.add({
    method: 'DELETE',
    url: `${l.url}/:name`,
    tag: l.tag,
    summary: `Deletes a ${l.noun} (refused while objects still name it)`,
    access: 'write on the whole tree',
    params: nameParams,
    handler: async (req, _reply, { params }) => {
      need(req, 'write', `deleting a ${l.noun}`);
      const done = await runEdit(ctx, req, `${l.action}.delete`, `${l.action}:${params.name}`, (c) => deleteNamed(c.document, l.list, params.name));
      return { version: done.version, deleted: true };
    },
  });
}

export function listRoutes(ctx: RouteContext): void {
  namedListRoutes(ctx, { list: MAINTENANCE_LIST, url: '/api/maintenance', tag: 'maintenance', noun: 'maintenance window', action: 'maintenance', readLevel: 'read' });
  namedListRoutes(ctx, { list: RULE_LIST, url: '/api/alerting/rules', tag: 'alerting', noun: 'alerting rule', action: 'rule', readLevel: 'read' });
}
