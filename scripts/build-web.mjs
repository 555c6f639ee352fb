// Builds the console (web/) into web/dist when it is missing or older than its sources, so that
// `npm start` and the e2e tests always serve the console that matches the checkout. Run directly
// (`node scripts/build-web.mjs [--force]`) or import buildWebIfStale().
//
// The build goes to a temporary folder that then replaces web/dist, so a server reading web/dist
// while a build runs never sees it half-written; a lock file keeps two builds from racing.

import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
export const webDir = join(repo, 'web');
export const distDir = join(webDir, 'dist');
const lockPath = join(webDir, '.build.lock');
const LOCK_STALE_MS = 5 * 60_000;

/** Newest modification time of the console's sources (web/ without dist/) and the lock file of dependencies. */
async function newestSource(dir = webDir) {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? await newestSource(p) : (await stat(p)).mtimeMs);
  }
  if (dir === webDir) newest = Math.max(newest, await mtime(join(repo, 'package-lock.json')));
  return newest;
}

async function mtime(p) {
  try {
    return (await stat(p)).mtimeMs;
  } catch {
    return 0;
  }
}

/** True when web/dist/index.html is missing or older than a source file. */
export async function webIsStale() {
  const built = await mtime(join(distDir, 'index.html'));
  return built === 0 || built < (await newestSource());
}

/**
 * Brotli and gzip copies of the text assets, made once at build time: the server sends them to
 * browsers that accept them (a third of the bytes over a busy hospital network, no CPU per request).
 */
async function precompress(dir) {
  for (const name of await readdir(dir)) {
    if (!/\.(js|css|svg|json)$/.test(name)) continue;
    const body = await readFile(join(dir, name));
    await writeFile(join(dir, `${name}.br`), brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
    await writeFile(join(dir, `${name}.gz`), gzipSync(body, { level: 9 }));
  }
}

async function acquireLock(log) {
  for (let waitedMs = 0; ; waitedMs += 200) {
    try {
      const h = await open(lockPath, 'wx');
      await h.writeFile(String(process.pid));
      await h.close();
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw new Error(`cannot create the build lock ${lockPath}: ${e.message}`);
      // A lock left by a killed build must not block every later start.
      if (Date.now() - (await mtime(lockPath)) > LOCK_STALE_MS) await rm(lockPath, { force: true });
      if (waitedMs === 0) log('console: another build is running; waiting for it');
      await delay(200);
    }
  }
}

/**
 * Builds web/dist if it is stale (or always, with force). Returns whether it built.
 * @param {{ force?: boolean, log?: (line: string) => void }} [opts]
 */
export async function buildWebIfStale(opts = {}) {
  const log = opts.log ?? ((line) => console.log(line));
  if (!opts.force && !(await webIsStale())) return false;
  await acquireLock(log);
  try {
    // Another process may have built it while this one waited for the lock.
    if (!opts.force && !(await webIsStale())) return false;
    const started = Date.now();
    log('console: building web/dist ...');
    let build;
    try {
      ({ build } = await import('vite'));
    } catch (e) {
      throw new Error(`vite is not installed (it is a devDependency: run \`npm install\` without --omit=dev): ${e.message}`);
    }
    const tmp = join(webDir, `.dist-${process.pid}`);
    await build({ root: webDir, configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } });
    await precompress(join(tmp, 'assets'));
    const old = join(webDir, `.dist-old-${process.pid}`);
    await mkdir(dirname(distDir), { recursive: true });
    if (await mtime(join(distDir))) await rename(distDir, old);
    await rename(tmp, distDir);
    await rm(old, { recursive: true, force: true });
    log(`console: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  } finally {
    await rm(lockPath, { force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const built = await buildWebIfStale({ force: process.argv.includes('--force') });
    if (!built) console.log('console: web/dist is up to date');
  } catch (e) {
    console.error(`console build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
