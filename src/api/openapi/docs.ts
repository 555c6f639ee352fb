// GET /api/docs: a small self-contained reference browser for /api/openapi.json (no CDN: hospital
// networks and this machine have no internet). Script and style are served from /api/docs/assets
// so that the page works under the same strict Content-Security-Policy as everything else.

export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wardwatch API reference</title><link rel="stylesheet" href="/api/docs/docs.css"></head>
<body><header><h1>Wardwatch API</h1><input id="filter" type="search" placeholder="Filter routes…" aria-label="Filter routes"></header>
<main id="main"><p>Loading /api/openapi.json…</p></main><script src="/api/docs/docs.js"></script></body></html>`;

export const DOCS_CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#111;color:#e8e8e8}
header{position:sticky;top:0;background:#1c1c1c;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;border-bottom:1px solid #333}
h1{font-size:1.2rem;margin:0}input{flex:1;font-size:1rem;padding:.3rem;background:#222;color:#eee;border:1px solid #444}
main{padding:1rem;max-width:70rem}h2{border-bottom:1px solid #333;margin-top:2rem}
details{border:1px solid #333;margin:.4rem 0;border-radius:4px;background:#181818}summary{cursor:pointer;padding:.4rem .6rem}
.m{display:inline-block;min-width:4.5rem;font-weight:bold;font-family:monospace}.GET{color:#7fd1ff}.POST{color:#9f9}.PUT,.PATCH{color:#fd7}.DELETE{color:#f99}
code,pre{font-family:ui-monospace,monospace;font-size:.85rem}pre{background:#0c0c0c;padding:.5rem;overflow:auto;max-height:24rem}
.body{padding:.2rem 1rem 1rem}table{border-collapse:collapse}td,th{border:1px solid #333;padding:.2rem .5rem;text-align:left;vertical-align:top}`;

export const DOCS_JS = `(function () {
  'use strict';
  var main = document.getElementById('main');
  var filter = document.getElementById('filter');
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  // Inlines #/components/schemas refs for reading (a schema met again on the same branch stays a ref).
  function inline(spec, v, seen) {
    if (Array.isArray(v)) return v.map(function (x) { return inline(spec, x, seen); });
    if (v === null || typeof v !== 'object') return v;
    var ref = v.$ref;
    if (typeof ref === 'string' && ref.indexOf('#/components/schemas/') === 0) {
      var name = ref.slice('#/components/schemas/'.length);
      var def = spec.components && spec.components.schemas && spec.components.schemas[name];
      if (!def || seen.indexOf(name) >= 0) return v;
      return inline(spec, def, seen.concat([name]));
    }
    var out = {};
    Object.keys(v).forEach(function (k) { out[k] = inline(spec, v[k], seen); });
    return out;
  }
  function render(spec) {
    main.textContent = '';
    main.appendChild(el('p', {}, [spec.info.description || '']));
    var byTag = {};
    Object.keys(spec.paths).sort().forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method];
        var tag = (op.tags && op.tags[0]) || 'other';
        (byTag[tag] = byTag[tag] || []).push({ path: path, method: method.toUpperCase(), op: op });
      });
    });
    Object.keys(byTag).sort().forEach(function (tag) {
      main.appendChild(el('h2', {}, [tag]));
      byTag[tag].forEach(function (r) {
        var body = el('div', { class: 'body' }, [el('p', {}, [r.op.summary || '']), el('p', {}, ['Access: ' + (r.op['x-access'] || '')])]);
        if (r.op.parameters && r.op.parameters.length) {
          var rows = r.op.parameters.map(function (p) {
            return el('tr', {}, [el('td', {}, [el('code', {}, [p.name])]), el('td', {}, [p.in + (p.required ? ', required' : '')]), el('td', {}, [el('code', {}, [JSON.stringify(p.schema)])]), el('td', {}, [p.description || ''])]);
          });
          body.appendChild(el('table', {}, [el('tr', {}, [el('th', {}, ['name']), el('th', {}, ['in']), el('th', {}, ['schema']), el('th', {}, ['description'])])].concat(rows)));
        }
        if (r.op.requestBody) {
          body.appendChild(el('p', {}, ['Request body (' + Object.keys(r.op.requestBody.content).join(', ') + '):' + (r.op.requestBody.description ? ' ' + r.op.requestBody.description : '')]));
          var sent = r.op.requestBody.content['application/json'].schema;
          if (sent && Object.keys(sent).length > 0) body.appendChild(el('pre', {}, [JSON.stringify(sent, null, 2)]));
        }
        Object.keys(r.op.responses || {}).filter(function (code) { return /^2/.test(code); }).forEach(function (code) {
          var json = r.op.responses[code].content && r.op.responses[code].content['application/json'];
          if (!json || !json.schema || Object.keys(json.schema).length === 0) return;
          var name = typeof json.schema.$ref === 'string' ? ' ' + json.schema.$ref.split('/').pop() : '';
          body.appendChild(el('p', {}, ['Answer ' + code + name + ':']));
          body.appendChild(el('pre', { class: 'answer' }, [JSON.stringify(inline(spec, json.schema, []), null, 2)]));
        });
        var d = el('details', { 'data-text': (r.method + ' ' + r.path + ' ' + (r.op.summary || '')).toLowerCase() }, [
          el('summary', {}, [el('span', { class: 'm ' + r.method }, [r.method]), ' ', el('code', {}, [r.path]), ' — ' + (r.op.summary || '')]),
          body,
        ]);
        main.appendChild(d);
      });
    });
  }
  filter.addEventListener('input', function () {
    var q = filter.value.toLowerCase();
    Array.prototype.forEach.call(document.querySelectorAll('details'), function (d) { d.hidden = q !== '' && d.getAttribute('data-text').indexOf(q) < 0; });
  });
  fetch('/api/openapi.json', { credentials: 'same-origin' })
    .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
    .then(render)
    .catch(function (e) { main.textContent = 'Could not load /api/openapi.json: ' + e.message; });
})();
`;
