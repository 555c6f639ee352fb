// The composition root end to end: a config file with real local peers, the read API over HTTP,
// reloading a valid and an invalid file, and the built-in demo hospital.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../src/app.ts';
import { bearerFor, createTestUser } from '../src/api/auth/testing.ts';

/** An administrator's bearer token: every /api route but the public ones needs one. */
async function adminHeaders(app: App): Promise<Record<string, string>> {
  const { user } = await createTestUser(app.auth, { roles: ['administrator'] });
  return { ...(await bearerFor(app.auth, user)).headers };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface TreeNodeView {
  id: string;
  type: string;
  state?: string;
  message?: string;
  counts: Record<string, number>;
  children: TreeNodeView[];
}

function flatten(nodes: TreeNodeView[]): TreeNodeView[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

describe('app with a configuration file', () => {
  let dir: string;
  let app: App;
  let listener: net.Server;
  let port: number;
  let auth: Record<string, string>;
  const logs: string[] = [];

  const config = (extra = '') => `
defaults: { interval: 1s, timeout: 1s, retries: 0 }
sites:
  - name: Test Site
    timezone: Europe/Berlin
    probes:
      - name: P1
        groups:
          - name: PACS
            system: PACS
            devices:
              - name: Archive
                host: 127.0.0.1
                sensors:
                  - { name: Port, kind: tcp, port: ${port} }
                  - { name: Wave, kind: synthetic, base: 10, amplitude: 0 }
                  - { name: Nightly backup, kind: push, token: backup-job-token-0123456789abcdef, expectEvery: 1d, interval: 1s }
${extra}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wardwatch-app-'));
    listener = net.createServer((s) => {
      s.on('error', () => undefined); // the check may reset the connection once connected
      s.end();
    });
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    port = (listener.address() as net.AddressInfo).port;
    await writeFile(join(dir, 'hospital.yaml'), config());
    app = await startApp({ configPath: join(dir, 'hospital.yaml'), dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, log: (l) => logs.push(l), insecureHttp: true });
    auth = await adminHeaders(app);
  });

  afterAll(async () => {
    await app?.close();
    listener?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the tree with live states', async () => {
    const up = await until('both sensors Up', async () => {
      const res = await fetch(`${app.url}api/tree/full`, { headers: auth });
      const body = (await res.json()) as { roots: TreeNodeView[] };
      const site = body.roots[0]!;
      // The port and the wave are Up (the push sensor may be Up too: it waits for its first report).
      const up = flatten([site]).filter((n) => n.state === 'up').map((n) => n.id);
      return up.includes('test-site/p1/pacs/archive/port') && up.includes('test-site/p1/pacs/archive/wave') ? site : undefined;
    });
    expect(up.id).toBe('test-site');
    const sensors = flatten([up]).filter((n) => n.type === 'sensor');
    expect(sensors.map((s) => s.id).sort()).toEqual(['test-site/p1/pacs/archive/nightly-backup', 'test-site/p1/pacs/archive/port', 'test-site/p1/pacs/archive/wave']);
  });

  it('serves one sensor, its history and its events', async () => {
    const id = encodeURIComponent('test-site/p1/pacs/archive/wave');
    const sensor = (await (await fetch(`${app.url}api/sensors/${id}`, { headers: auth })).json()) as { kind: string; channels: { key: string; lastValue: number | null }[]; effective: { intervalS: number } };
    expect(sensor.kind).toBe('synthetic');
    expect(sensor.effective.intervalS).toBe(1);
    const history = await until('history written', async () => {
      const h = (await (await fetch(`${app.url}api/sensors/${id}/history?channel=value&from=${Date.now() - 60_000}`, { headers: auth })).json()) as { points: { avg: number }[]; resolution: string };
      return h.points.length > 0 ? h : undefined;
    });
    expect(history.resolution).toBe('raw');
    expect(history.points[0]!.avg).toBe(10);
    const events = (await (await fetch(`${app.url}api/events?sensor=${id}`, { headers: auth })).json()) as { events: { to: string }[] };
    expect(events.events.some((e) => e.to === 'up')).toBe(true);
  });

  it('takes push reports over the API into the push sensor', async () => {
    const res = await fetch(`${app.url}api/push/backup-job-token-0123456789abcdef`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'down', message: 'backup of the PACS database failed' }) });
    expect(res.status).toBe(202);
    const id = 'test-site/p1/pacs/archive/nightly-backup';
    const st = await until('the push sensor Down', async () => (app.engine.status(id)?.state === 'down' ? app.engine.status(id) : undefined));
    expect(st.message).toContain('backup of the PACS database failed');
    const unknown = await fetch(`${app.url}api/push/no-such-token-0123456789abcdef`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('answers unknown sensors and bad queries with problem details', async () => {
    const res = await fetch(`${app.url}api/sensors/nope`, { headers: auth });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND');
    const bad = await fetch(`${app.url}api/events?limit=0`, { headers: auth });
    expect(bad.status).toBe(400);
  });

  it('keeps the running configuration when the file becomes invalid, and applies a valid one', async () => {
    await writeFile(join(dir, 'hospital.yaml'), config().replace(`port: ${port}`, 'port: "abc"'));
    const bad = await app.reload();
    expect(bad.ok).toBe(false);
    expect(bad.messages[0]).toMatch(/hospital\.yaml:\d+:\d+ sites\[0\]\.probes\[0\]\.groups\[0\]\.devices\[0\]\.sensors\[0\]\.port: expected integer 1–65535, got "abc"/);
    expect(app.tree().nodes.has('test-site/p1/pacs/archive/port')).toBe(true);

    await writeFile(join(dir, 'hospital.yaml'), config().replace(/ {18}- \{ name: Wave.*\n/, ''));
    const good = await app.reload();
    expect(good.ok).toBe(true);
    expect(app.tree().nodes.has('test-site/p1/pacs/archive/wave')).toBe(false);
    expect(app.engine.status('test-site/p1/pacs/archive/port')?.state).toBe('up');
  });
});

describe('app with the built-in demo hospital', () => {
  it('starts the simulators and shows Up and Down sensors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wardwatch-demo-'));
    const app = await startApp({ dataDir: dir, host: '127.0.0.1', port: 0, log: () => undefined, insecureHttp: true });
    try {
      const auth = await adminHeaders(app);
      const counts = await until('some Up and a Down sensor', async () => {
        const body = (await (await fetch(`${app.url}api/tree/full`, { headers: auth })).json()) as { roots: TreeNodeView[] };
        const c = body.roots[0]!.counts as { up: number; down: number };
        return c.up > 3 && c.down >= 1 ? c : undefined;
      }, 40_000);
      expect(counts.up).toBeGreaterThan(3);
      // Every demo sensor is configured right: no check ends in a settings problem or a bug.
      const broken = [...app.engine.statuses()].filter(([, st]) => st.error === 'BAD_SETTINGS' || st.error === 'INTERNAL').map(([id, st]) => `${id}: ${st.message ?? ''}`);
      expect(broken).toEqual([]);
      const page = await (await fetch(app.url)).text();
      expect(page).toContain('<title>Wardwatch</title>');
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('app with receivers', () => {
  it('stores syslog from a device, drives its syslog sensor, and finds the message through the API', async () => {
    const { freeUdpPort } = await import('./peers/harness.ts');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const dir = await mkdtemp(join(tmpdir(), 'wardwatch-recv-'));
    const udp = await freeUdpPort();
    await writeFile(
      join(dir, 'hospital.yaml'),
      `receivers:
  syslog:
    udp: { host: 127.0.0.1, port: ${udp} }
sites:
  - name: Site
    probes:
      - name: P
        groups:
          - name: Imaging
            system: modality
            devices:
              - name: CT-01
                host: 127.0.0.1
                sensors:
                  - name: Syslog
                    kind: syslog
                    interval: 1s
                    rules:
                      - { name: tube, message: "tube overheat", state: down }
`,
    );
    const app = await startApp({ configPath: join(dir, 'hospital.yaml'), dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, log: () => undefined, insecureHttp: true });
    try {
      const auth = await adminHeaders(app);
      await promisify(execFile)('logger', ['--server', '127.0.0.1', '--port', String(udp), '--udp', '--rfc5424', '-t', 'ctscanner', 'X-ray tube overheat: scan aborted']);
      const id = 'site/p/imaging/ct-01/syslog';
      const st = await until('the syslog rule to put the sensor Down', async () => (app.engine.status(id)?.state === 'down' ? app.engine.status(id) : undefined));
      expect(st.message).toContain('tube overheat');
      const found = await until('the message searchable', async () => {
        const body = (await (await fetch(`${app.url}api/messages?text=OVERHEAT`, { headers: auth })).json()) as { messages: { deviceId?: string; text: string }[] };
        return body.messages.length > 0 ? body.messages : undefined;
      });
      expect(found[0]).toMatchObject({ deviceId: 'site/p/imaging/ct-01' });
      expect(found[0]!.text).toContain('X-ray tube overheat');
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('app over HTTPS (the default), one configuration model', () => {
  it('serves HTTPS with a generated certificate and HSTS, prints the setup link, and writes API edits back to the file', async () => {
    const { readFile } = await import('node:fs/promises');
    const https = await import('node:https');
    const dir = await mkdtemp(join(tmpdir(), 'wardwatch-https-'));
    const file = join(dir, 'hospital.yaml');
    await writeFile(file, `# kept by the API\nsites:\n  - name: Site\n    probes:\n      - name: P\n        groups:\n          - name: G\n            devices:\n              - name: D\n                host: 127.0.0.1\n                sensors:\n                  - { name: Wave, kind: synthetic, base: 1, amplitude: 0 } # a comment\n`);
    const logs: string[] = [];
    const app = await startApp({ configPath: file, dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, log: (l) => logs.push(l) });
    try {
      expect(app.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      expect(app.setupUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/setup\?token=[\w-]{20,}$/);
      expect(logs.some((l) => l.includes(app.setupUrl!))).toBe(true);
      const ca = await readFile(join(dir, 'data', 'tls', 'cert.pem'), 'utf8');
      const auth = await adminHeaders(app);
      const call = (method: string, path: string, body?: unknown) =>
        new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
          const req = https.request(new URL(path, app.url), { method, ca, headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) } }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          });
          req.on('error', reject);
          req.end(body !== undefined ? JSON.stringify(body) : undefined);
        });
      const health = await call('GET', '/api/health');
      expect(health.status).toBe(200);
      expect(health.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const patch = await call('PATCH', `/api/nodes/${encodeURIComponent('site/p/g/d/wave')}`, { interval: '2m' });
      expect(patch.status).toBe(200);
      const text = await readFile(file, 'utf8');
      expect(text).toContain('# kept by the API');
      expect(text).toContain('# a comment');
      expect(text).toContain('interval: 2m');
      expect(app.tree().nodes.get('site/p/g/d/wave')?.settings.intervalS).toBe(120);
      // A hand edit plus SIGHUP-style reload is picked up by the same model.
      await writeFile(file, text.replace('interval: 2m', 'interval: 3m'));
      expect((await app.reload()).ok).toBe(true);
      expect(app.tree().nodes.get('site/p/g/d/wave')?.settings.intervalS).toBe(180);
      expect((await call('PATCH', `/api/nodes/${encodeURIComponent('site/p/g/d/wave')}`, { retries: 2 })).status).toBe(200);
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
