// Live status page: polls /api/tree and renders it; states are shown with a symbol and a word, never colour alone.
const SYMBOL = { up: '▲ Up', warning: '◆ Warning', down: '▼ Down', paused: '❚❚ Paused', unknown: '? Unknown' };

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function counts(c) {
  const span = el('span', 'counts');
  for (const s of ['down', 'warning', 'up', 'paused', 'unknown']) {
    if (c[s] > 0) span.append(el('span', s, `${SYMBOL[s]} ${c[s]}`));
  }
  if (c.acknowledged > 0) span.append(el('span', 'muted', `(${c.acknowledged} acknowledged)`));
  return span;
}

function render(node) {
  const li = el('li');
  if (node.type === 'sensor') {
    const label = node.state === 'paused' && node.pauseReason ? `${SYMBOL.paused} (${node.pauseReason})` : SYMBOL[node.state];
    li.append(el('span', `state ${node.state}`, node.acknowledged ? `${label} ✓ack` : label), ` ${node.name} `, el('span', 'muted', `${node.kind} — ${node.message ?? ''}`));
  } else {
    const extra = node.system ? ` [${node.system}]` : node.host ? ` (${node.host})` : '';
    li.append(el('span', 'node', `${node.name}${extra} `), counts(node.counts));
    const ul = el('ul');
    for (const c of node.children) ul.append(render(c));
    li.append(ul);
  }
  return li;
}

async function refresh() {
  try {
    const res = await fetch('/api/tree/full');
    const data = await res.json();
    const ul = el('ul');
    const total = { up: 0, warning: 0, down: 0, paused: 0, unknown: 0, acknowledged: 0 };
    for (const r of data.roots) {
      ul.append(render(r));
      for (const k of Object.keys(total)) total[k] += r.counts[k];
    }
    document.getElementById('tree').replaceChildren(ul);
    document.getElementById('summary').replaceChildren(counts(total));
    document.getElementById('updated').textContent = `updated ${new Date(data.generatedAt).toLocaleTimeString()}`;
  } catch (e) {
    document.getElementById('updated').textContent = `cannot reach Wardwatch: ${e}`;
  }
}
refresh();
setInterval(refresh, 5000);
