// `wardwatch docs [--out DIR]`: writes the sensor reference generated from the registry, so the
// docs never drift from the code.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderDocsIndex, renderKindMarkdown } from '../sensors/docs.ts';
import { SENSOR_KINDS } from '../sensors/registry.ts';
import type { Io } from './io.ts';

export async function docsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { out: { type: 'string', default: 'docs/sensors' } }, strict: true });
  const out = values.out;
  await mkdir(out, { recursive: true });
  for (const kind of SENSOR_KINDS) await writeFile(join(out, `${kind.kind}.md`), renderKindMarkdown(kind));
  await writeFile(join(out, 'README.md'), renderDocsIndex(SENSOR_KINDS));
  io.out(`wrote ${SENSOR_KINDS.length + 1} files to ${out}\n`);
  return 0;
}
