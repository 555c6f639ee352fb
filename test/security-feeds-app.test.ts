// The `security:` section through the composition root: a feed URL in the configuration is fetched
// at start and imported into the store, as an isolated network's mirror would serve it.

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startApp } from '../src/app.ts';
import { formatConfigError, parseConfig } from '../src/config/load.ts';
import { openSecurityStore } from '../src/security/store-open.ts';

const KEV = readFileSync(new URL('../src/security/feeds/kev/__fixtures__/kev.json', import.meta.url), 'utf8');

const yaml = (url: string) => `security:
  feeds:
    - { name: CISA KEV mirror, url: "${url}", interval: 6h }
sites:
  - name: Site
    probes:
      - name: P
        groups:
          - name: PACS
            system: PACS
            devices:
              - name: Archive
                host: 127.0.0.1
                sensors:
                  - { name: Beat, kind: synthetic, interval: 60s }
`;

it('fetches a configured feed URL at start and imports it', async () => {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json', etag: '"1"' }).end(KEV);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kev.json`;
  const dir = await mkdtemp(join(tmpdir(), 'wardwatch-feeds-'));
  await writeFile(join(dir, 'hospital.yaml'), yaml(url));
  const logs: string[] = [];
  const app = await startApp({ configPath: join(dir, 'hospital.yaml'), dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0, log: (l) => logs.push(l), insecureHttp: true });
  try {
    const sec = await openSecurityStore(app.store);
    const deadline = Date.now() + 15_000;
    while ((await sec.kev()).length === 0) {
      if (Date.now() > deadline) throw new Error(`the feed was not imported; log:\n${logs.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(requests).toEqual(['/kev.json']);
    expect((await sec.kev()).length).toBe((JSON.parse(KEV) as { vulnerabilities: unknown[] }).vulnerabilities.length);
  } finally {
    await app.close();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  }
});

it('names a bad feed entry by file, line and field', () => {
  const text = yaml('ftp://mirror/kev.json').replace('interval: 6h', 'interval: 10s');
  const r = parseConfig(text, 'hospital.yaml');
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.errors.map((e) => formatConfigError(e).replace(/:\d+:\d+ /, ':L:C '))).toEqual([
    'hospital.yaml:L:C security.feeds[0].url: expected an http(s) URL, got "ftp://mirror/kev.json"',
    'hospital.yaml:L:C security.feeds[0].interval: expected a duration such as 30s, 5m or 2h (at least 60s), got "10s"',
  ]);
});
