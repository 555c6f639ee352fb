// The running configuration as a whole: its version, its JSON Schema (for editors and the
// console's forms), export as YAML, and import of a YAML document with a diff preview. The file
// and the API stay one model: an import through the API is written to the config file as sent.

import { z } from 'zod';
import { formatConfigError } from '../../config/load.ts';
import { configJsonSchema } from '../../config/schema.ts';
import type { ImportChange } from '../../config/edit/service.ts';
import { touchedIds } from '../../config/edit/diff.ts';
import { atLeast, levelAt } from '../access.ts';
import { ApiProblem, problem } from '../problem.ts';
import { audit, configFailure, globalLevel, principalOf, type RouteContext } from './context.ts';

const importQuery = z.strictObject({
  preview: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('true: only answer the diff; nothing is applied'),
});

const importBody = z.union([z.string().min(1).describe('The YAML document (Content-Type: text/yaml)'), z.strictObject({ yaml: z.string().min(1) })]);

/** Largest config document accepted by import (bytes). */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024;

export function configRoutes(ctx: RouteContext): void {
  const { svc, routes } = ctx;
  let schema: Record<string, unknown> | undefined;

  const needGlobal = (req: Parameters<typeof principalOf>[0], level: 'read' | 'write' | 'full', what: string) => {
    const p = principalOf(req);
    const have = globalLevel(p, svc.monitor.tree());
    if (!atLeast(have, level)) throw new ApiProblem(problem('FORBIDDEN', `${what} needs ${level} on the whole tree, has ${have}`));
  };

  routes.add({
    method: 'GET',
    url: '/api/config',
    tag: 'config',
    summary: 'The running configuration: version, source and the document as JSON',
    access: 'read on the whole tree',
    handler: async (req) => {
      needGlobal(req, 'read', 'the configuration');
      const c = svc.config.current();
      return { version: c.version, source: c.source, document: c.document };
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/config/schema',
    tag: 'config',
    summary: 'JSON Schema of the configuration document (generated from the sensor registry)',
    access: 'any signed-in user',
    handler: async (req) => {
      principalOf(req);
      schema ??= configJsonSchema();
      return schema;
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/config/export',
    tag: 'config',
    summary: 'The running configuration as YAML',
    access: 'read on the whole tree',
    produces: ['text/yaml'],
    handler: async (req, reply) => {
      needGlobal(req, 'read', 'exporting the configuration');
      const text = await svc.config.yaml();
      await audit(ctx, req, { action: 'config.export', target: 'config', outcome: 'ok', detail: `configuration v${svc.config.current().version}` });
      return reply.type('text/yaml; charset=utf-8').header('content-disposition', 'attachment; filename="wardwatch.yaml"').send(text);
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/config/import',
    tag: 'config',
    summary: 'Imports a whole YAML configuration: ?preview=true answers the diff (added, changed, removed objects) without applying',
    access: 'preview: read on the whole tree; apply: full on every object added, changed or removed (and on the whole tree when defaults, maintenance, alerting or receivers change)',
    query: importQuery,
    body: importBody,
    consumes: ['text/yaml', 'application/yaml', 'text/plain'],
    handler: async (req, _reply, { query, body }) => {
      const p = principalOf(req);
      const text = typeof body === 'string' ? body : body.yaml;
      if (query.preview) needGlobal(req, 'read', 'previewing an import');
      const authorize = query.preview
        ? undefined
        : (c: ImportChange) => {
            if (p.admin) return undefined;
            if (c.globalChanged && !atLeast(globalLevel(p, c.before.tree), 'full')) return 'the import changes defaults, maintenance windows, credentials, alerting or receivers: that needs full on the whole tree';
            const added = new Set(c.diff.added.map((n) => n.id));
            for (const id of touchedIds(c.diff)) {
              const level = added.has(id) ? levelAt(p, c.tree, id) : levelAt(p, c.before.tree, id);
              if (!atLeast(level, 'full')) return `the import changes "${id}": that needs full on it, you have ${level}`;
            }
            return undefined;
          };
      let out;
      try {
        out = await svc.config.import(text, 'import', query.preview, authorize);
      } catch (e) {
        const failure = configFailure(e);
        if (failure !== e) await audit(ctx, req, { action: 'config.import', target: 'config', outcome: 'failed', detail: e instanceof Error ? e.message : String(e) });
        throw failure;
      }
      if (!out.ok) {
        if ('refused' in out) {
          await audit(ctx, req, { action: 'config.import', target: 'config', outcome: 'denied', detail: out.refused });
          throw new ApiProblem(problem('FORBIDDEN', out.refused));
        }
        const errors = out.errors.map((e) => ({ path: `body${e.path === '' ? '' : `.${e.path}`}`, message: `line ${e.line}, column ${e.column}: ${e.message}` }));
        if (!query.preview) await audit(ctx, req, { action: 'config.import', target: 'config', outcome: 'failed', detail: out.errors.map(formatConfigError).slice(0, 5).join('; ') });
        throw new ApiProblem(problem('CONFIG_INVALID', out.errors.map(formatConfigError).join('\n'), 422, errors));
      }
      if (out.applied) {
        const d = out.diff;
        await audit(ctx, req, { action: 'config.import', target: 'config', outcome: 'ok', detail: `configuration v${out.config.version}: ${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed` });
      }
      return { applied: out.applied, version: out.config.version, diff: out.diff, warnings: out.warnings };
    },
  });
}
