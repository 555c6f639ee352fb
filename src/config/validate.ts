// `wardwatch validate FILE`: checks a config file without starting anything and says what is wrong,
// one line per problem (file:line:column path: message), or how much it describes when it is valid.

import { sensorsOf } from '../core/tree.ts';
import type { ConfigLoaderOptions } from './load.ts';
import { formatConfigError, loadConfigFile } from './load.ts';

export interface ValidationOutput {
  readonly ok: boolean;
  /** What the command prints: error lines, or warnings then the OK line. */
  readonly output: string;
}

export async function validateConfigFile(path: string, options: ConfigLoaderOptions = {}): Promise<ValidationOutput> {
  const r = await loadConfigFile(path, options);
  if (!r.ok) return { ok: false, output: r.errors.map(formatConfigError).join('\n') };
  let devices = 0;
  for (const n of r.tree.nodes.values()) if (n.type === 'device') devices++;
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const summary = `${path}: OK — ${count(r.tree.roots.length, 'site')}, ${count(devices, 'device')}, ${count(sensorsOf(r.tree).length, 'sensor')}`;
  return { ok: true, output: [...r.warnings, summary].join('\n') };
}
