// The access matrix's rows for the monitoring API (tree, nodes, sensors, events, alerts,
// maintenance, alerting rules, config, live stream, notifications, metrics): each route's need and
// a request for the object inside or outside the custom role's subtree.

import { ALERT, DEVICE, NOTE, SENSOR, adminOk, global, node, open, signedIn, type Row } from './access-kit.ts';
import { enc } from './harness.ts';

export const CORE_ROWS: Readonly<Record<string, Row>> = {
  'GET /api/health': { need: open, req: () => ({ method: 'GET', url: '/api/health' }) },
  'GET /api/openapi.json': { need: open, req: () => ({ method: 'GET', url: '/api/openapi.json' }) },
  'GET /api/overview': { need: signedIn, req: () => ({ method: 'GET', url: '/api/overview' }) },
  'GET /api/tree': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/tree?parent=${enc(DEVICE[w])}` }) },
  'GET /api/tree/full': { need: signedIn, req: () => ({ method: 'GET', url: '/api/tree/full' }) },
  'GET /api/search': { need: signedIn, req: () => ({ method: 'GET', url: '/api/search?q=ping' }) },
  'GET /api/nodes/{id}': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/nodes/${enc(SENSOR[w])}` }) },
  'POST /api/nodes': { hides: true, need: node('write'), req: (w, r, _h, n) => ({ method: 'POST', url: '/api/nodes', body: { parent: DEVICE[w], type: 'sensor', entry: { name: `new ${r} ${n}`, kind: 'fake' } } }) },
  'PATCH /api/nodes/{id}': { hides: true, need: node('write'), req: (w, r) => ({ method: 'PATCH', url: `/api/nodes/${enc(SENSOR[w])}`, body: { description: `touched by ${r}` } }) },
  'DELETE /api/nodes/{id}': {
    hides: true, need: node('full'),
    req: async (w, r, h, n) => {
      const name = `doomed ${r} ${n}`;
      await adminOk(h, 'POST', '/api/nodes', { parent: DEVICE[w], type: 'sensor', entry: { name, kind: 'fake' } });
      return { method: 'DELETE', url: `/api/nodes/${enc(`${DEVICE[w]}/doomed-${r}-${n}`)}` };
    },
  },
  'POST /api/nodes/{id}/pause': { hides: true, need: node('acknowledge'), req: (w) => ({ method: 'POST', url: `/api/nodes/${enc(SENSOR[w])}/pause`, body: { note: 'matrix' } }) },
  'POST /api/nodes/{id}/resume': {
    hides: true, need: node('acknowledge'),
    req: async (w, _r, h) => {
      await adminOk(h, 'POST', `/api/nodes/${enc(SENSOR[w])}/pause`, {});
      return { method: 'POST', url: `/api/nodes/${enc(SENSOR[w])}/resume` };
    },
  },
  'POST /api/nodes/{id}/check-now': { hides: true, need: node('acknowledge'), req: (w) => ({ method: 'POST', url: `/api/nodes/${enc(DEVICE[w])}/check-now` }) },
  'PUT /api/sensors/{id}/channels/{channel}': { hides: true, need: node('write'), req: (w) => ({ method: 'PUT', url: `/api/sensors/${enc(SENSOR[w])}/channels/value`, body: { limits: { upperError: 500 } } }) },
  'DELETE /api/sensors/{id}/channels/{channel}': {
    hides: true, need: node('write'),
    req: async (w, _r, h) => {
      await adminOk(h, 'PUT', `/api/sensors/${enc(SENSOR[w])}/channels/value`, { name: 'V' });
      return { method: 'DELETE', url: `/api/sensors/${enc(SENSOR[w])}/channels/value` };
    },
  },
  'GET /api/sensors/{id}': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/sensors/${enc(SENSOR[w])}` }) },
  'GET /api/sensors/{id}/history': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/sensors/${enc(SENSOR[w])}/history?format=csv` }) },
  'POST /api/sensors/{id}/acknowledge': { hides: true, need: node('acknowledge'), req: (w) => ({ method: 'POST', url: `/api/sensors/${enc(SENSOR[w])}/acknowledge`, body: {} }) },
  'GET /api/events': { need: node('read'), req: (w) => ({ method: 'GET', url: `/api/events?sensor=${enc(SENSOR[w])}` }) },
  'GET /api/messages': { need: node('read'), req: (w) => ({ method: 'GET', url: `/api/messages?device=${enc(DEVICE[w])}` }) },
  'GET /api/alerts': { need: node('read'), req: (w) => ({ method: 'GET', url: `/api/alerts?node=${enc(DEVICE[w])}` }) },
  'GET /api/alerts/{id}': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/alerts/${ALERT[w]}` }) },
  'POST /api/alerts/{id}/acknowledge': { hides: true, need: node('acknowledge'), req: (w) => ({ method: 'POST', url: `/api/alerts/${ALERT[w]}/acknowledge`, body: {} }) },
  'GET /api/alerts/ack': { need: open, req: () => ({ method: 'GET', url: '/api/alerts/ack?token=link-token' }) },
  'POST /api/alerts/ack': { need: open, req: () => ({ method: 'POST', url: '/api/alerts/ack', body: 'token=link-token', contentType: 'application/x-www-form-urlencoded' }) },
  'GET /api/maintenance': { need: global('read'), req: () => ({ method: 'GET', url: '/api/maintenance' }) },
  'GET /api/maintenance/{name}': { need: global('read'), req: () => ({ method: 'GET', url: '/api/maintenance/nightly' }) },
  'POST /api/maintenance': { need: global('write'), req: (_w, r, _h, n) => ({ method: 'POST', url: '/api/maintenance', body: { name: `w-${r}-${n}`, cron: '0 3 * * *', duration: '1h' } }) },
  'PUT /api/maintenance/{name}': { need: global('write'), req: () => ({ method: 'PUT', url: '/api/maintenance/nightly', body: { name: 'nightly', weekly: { days: ['sun'], start: '02:00', duration: '2h' } } }) },
  'DELETE /api/maintenance/{name}': {
    need: global('write'),
    req: async (_w, r, h, n) => {
      await adminOk(h, 'POST', '/api/maintenance', { name: `gone-${r}-${n}`, cron: '0 4 * * *', duration: '1h' });
      return { method: 'DELETE', url: `/api/maintenance/gone-${r}-${n}` };
    },
  },
  'GET /api/alerting/rules': { need: global('read'), req: () => ({ method: 'GET', url: '/api/alerting/rules' }) },
  'GET /api/alerting/rules/{name}': { need: global('read'), req: () => ({ method: 'GET', url: '/api/alerting/rules/none' }) },
  'POST /api/alerting/rules': { need: global('write'), req: (_w, r, _h, n) => ({ method: 'POST', url: '/api/alerting/rules', body: { name: `r-${r}-${n}` } }) },
  'PUT /api/alerting/rules/{name}': { need: global('write'), req: () => ({ method: 'PUT', url: '/api/alerting/rules/none', body: { name: 'none' } }) },
  'DELETE /api/alerting/rules/{name}': { need: global('write'), req: () => ({ method: 'DELETE', url: '/api/alerting/rules/none' }) },
  'GET /api/config': { need: global('read'), req: () => ({ method: 'GET', url: '/api/config' }) },
  'GET /api/config/schema': { need: signedIn, req: () => ({ method: 'GET', url: '/api/config/schema' }) },
  'GET /api/config/export': { need: global('read'), req: () => ({ method: 'GET', url: '/api/config/export' }) },
  'POST /api/config/import': {
    // Applying an import that changes the object needs full on it.
    need: node('full'),
    req: async (w, r, h, n) => {
      const text = (await h.call('administrator', 'GET', '/api/config/export')).body;
      // Renaming a sensor changes its id: one object removed and one added, on the chosen side.
      const name = w === 'inside' ? /name: Temp\S*/ : /name: HL7\S*/;
      if (!name.test(text)) throw new Error(`export lacks ${String(name)}`);
      return { method: 'POST', url: '/api/config/import', body: text.replace(name, (m) => `${m.split('-')[0]!}-${r}-${n}`), contentType: 'text/yaml' };
    },
  },
  'GET /api/live': { hides: true, need: node('read'), stream: true, req: (w) => ({ method: 'GET', url: `/api/live?nodes=${enc(DEVICE[w])}` }) },
  'GET /api/notifications': { need: signedIn, req: () => ({ method: 'GET', url: '/api/notifications?channel=mail' }) },
  'GET /api/notifications/counts': { need: signedIn, req: () => ({ method: 'GET', url: '/api/notifications/counts' }) },
  'GET /api/notifications/{key}': { hides: true, need: node('read'), req: (w) => ({ method: 'GET', url: `/api/notifications/${enc(NOTE[w])}` }) },
  'GET /metrics': { need: signedIn, req: () => ({ method: 'GET', url: '/metrics' }) },
};

/** Import preview is the same route with another query: a row of its own. */
export const PREVIEW: Row = { need: global('read'), req: async (_w, _r, h) => ({ method: 'POST', url: '/api/config/import?preview=true', body: (await h.call('administrator', 'GET', '/api/config/export')).body, contentType: 'text/yaml' }) };
