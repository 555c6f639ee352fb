// `wardwatch validate FILE`: checks a configuration file without starting anything.

import { validateConfigFile } from '../config/validate.ts';
import type { Io } from './io.ts';

export async function validateCommand(argv: readonly string[], io: Io): Promise<number> {
  const [file, ...extra] = argv;
  if (!file || extra.length > 0) {
    io.err('usage: wardwatch validate FILE\n');
    return 2;
  }
  const r = await validateConfigFile(file);
  (r.ok ? io.out : io.err)(r.output.endsWith('\n') ? r.output : r.output + '\n');
  return r.ok ? 0 : 1;
}
