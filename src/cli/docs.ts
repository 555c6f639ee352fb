// `wardwatch docs [--out DIR]`: writes the sensor reference generated from the registry, so the
// docs never drift from the code (a test compares the committed docs/sensors with a fresh render).

import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderAllDocs } from '../sensors/docs.ts';
import { SENSOR_KINDS } from '../sensors/registry.ts';
import type { Io } from './io.ts';

export async function docsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { out: { type: 'string', default: 'docs/sensors' } }, strict: true });
  const out = values.out;
  await mkdir(out, { recursive: true });
  const pages = renderAllDocs(SENSOR_KINDS);
  // Pages of kinds that no longer exist would otherwise linger as stale docs.
  for (const f of await readdir(out)) if (f.endsWith('.md') && !pages.has(f)) await rm(join(out, f));
  for (const [file, text] of pages) await writeFile(join(out, file), text);
  io.out(`wrote ${pages.size} files to ${out}\n`);
  return 0;
}
