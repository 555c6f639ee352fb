// An object of the tree (site, probe, group, device, sensor): its settings as written in the YAML
// config, editable field by field. The form comes from the configuration's JSON Schema (the
// settings this object may have, their types and descriptions); the API validates every change
// against the same schema and names the field at fault, and the error is shown at that field.

import { useEffect, useState } from 'react';
import { useApi } from '../hooks.ts';
import { Link, nodeHref, sensorHref } from '../router.tsx';
import { ErrorBox } from '../components/Field.tsx';
import { EntryForm, type EntryShape, type NodeView } from '../components/EntryForm.tsx';
import { NodeActions } from '../components/NodeActions.tsx';
import { configSchema, entrySchema } from '../schema.ts';

export function NodePage({ id }: { id: string }) {
  const node = useApi<NodeView>(`/api/nodes/${encodeURIComponent(id)}`);
  const n = node.data;
  const [shape, setShape] = useState<EntryShape | undefined>();
  const type = n?.type;
  const kind = typeof n?.entry.kind === 'string' ? n.entry.kind : undefined;
  useEffect(() => {
    if (type === undefined) return;
    // Without the schema the form still edits the fields the entry has; the API validates either way.
    configSchema().then(
      (root) => {
        const s = entrySchema(root, type, kind);
        setShape(s?.properties ? { root, props: s.properties } : undefined);
      },
      () => setShape(undefined),
    );
  }, [type, kind]);

  return (
    <section>
      {n ? (
        <nav aria-label="Breadcrumb" className="crumbs">
          {n.path.slice(0, -1).map((p) => (
            <span key={p.id}>
              <Link to={nodeHref(p.id)}>{p.name}</Link> ›{' '}
            </span>
          ))}
        </nav>
      ) : null}
      <h1 tabIndex={-1}>{n ? n.name : 'Object'}</h1>
      <ErrorBox error={node.error} />
      {n ? (
        <>
          <p className="muted">
            {n.type}
            {kind ? ` (${kind})` : ''} · <code>{n.id}</code>
            {n.configVersion !== undefined ? ` · configuration v${n.configVersion}` : ''}
            {n.type === 'sensor' ? (
              <>
                {' '}
                · <Link to={sensorHref(n.id)}>State and graphs</Link>
              </>
            ) : (
              <>
                {' '}
                · <Link to={`/tree?root=${encodeURIComponent(n.id)}`}>{n.childCount} below in the tree</Link>
              </>
            )}
          </p>
          {n.type !== 'sensor' ? <NodeActions id={n.id} paused={n.entry.paused === true} onDone={node.reload} /> : null}
          <EntryForm node={n} shape={shape} onSaved={node.reload} />
        </>
      ) : null}
    </section>
  );
}
