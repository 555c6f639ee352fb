// The running configuration as one model: every change (an API edit, an import, a reload of the
// file) is checked by the loader's own checker, saved as a new config version, applied to the
// engine, and — when a config file is in use — written back to that file atomically, keeping its
// comments (ops.ts). Changes run one at a time, so that two edits never lose one another.

import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseDocument, stringify } from 'yaml';
import type { Tree } from '../../core/tree.ts';
import { SENSOR_KINDS } from '../../sensors/registry.ts';
import type { AnySensorKind } from '../../sensors/sensor.ts';
import type { ConfigStore } from '../../store/store.ts';
import { createDocumentChecker } from '../check.ts';
import type { Problem } from '../issues.ts';
import { createConfigParser, type ConfigError } from '../load.ts';
import { diffTrees, type ConfigDiff } from './diff.ts';
import { isRefusal, type EditPlan, type EditRefusal } from './nodes.ts';
import { applyOps, applyOpsToYaml } from './ops.ts';

export interface RunningConfig {
  readonly version: number;
  /** The validated document as plain data (durations as written: "30s"). */
  readonly document: unknown;
  readonly tree: Tree;
  readonly source: string;
}

export type EditOutcome =
  | { readonly ok: true; readonly before: RunningConfig; readonly config: RunningConfig; readonly plan: Exclude<EditPlan, EditRefusal>; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly refusal: EditRefusal }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly plan: Exclude<EditPlan, EditRefusal> };

export interface ImportChange {
  readonly diff: ConfigDiff;
  readonly before: RunningConfig;
  readonly tree: Tree;
  /** Something besides the tree changed: defaults, maintenance, credentials, alerting, receivers. */
  readonly globalChanged: boolean;
}

export type ImportOutcome =
  | { readonly ok: true; readonly applied: boolean; readonly diff: ConfigDiff; readonly config: RunningConfig; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly ConfigError[] }
  | { readonly ok: false; readonly refused: string; readonly diff: ConfigDiff };

export type ReloadOutcome =
  | { readonly ok: true; readonly config: RunningConfig; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };

export interface ConfigService {
  current(): RunningConfig;
  /** Re-reads the config file (SIGHUP) and puts it in force when valid; the running one stays otherwise. */
  reload(): Promise<ReloadOutcome>;
  /** The running configuration as YAML: the file's text when a file is in use. */
  yaml(): Promise<string>;
  /** Plans an edit against the current document, checks the result, saves and applies it. */
  edit(plan: (current: RunningConfig) => EditPlan, source: string): Promise<EditOutcome>;
  /**
   * A whole YAML document: the diff against the running one, applied unless `preview`. `authorize`
   * sees the diff before anything is applied and may refuse it (returns why).
   */
  import(text: string, source: string, preview: boolean, authorize?: (change: ImportChange) => string | undefined): Promise<ImportOutcome>;
}

export interface ConfigServiceOptions {
  readonly initial: RunningConfig;
  readonly store: Pick<ConfigStore, 'saveConfig'>;
  /** Puts a checked tree into service (engine.apply and what depends on the tree). */
  readonly apply: (tree: Tree, document: unknown) => Promise<void>;
  /** The YAML file the configuration came from; edits are written back to it. */
  readonly filePath?: string;
  readonly now: () => number;
  readonly kinds?: readonly AnySensorKind[];
  readonly log?: (line: string) => void;
}

/** Raised when the file changed on disk behind the running configuration. */
export class ConfigFileChangedError extends Error {}

/** Raised when a checked change could not be applied or saved; everything was put back as it was. */
export class ConfigApplyError extends Error {}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

export function createConfigService(opts: ConfigServiceOptions): ConfigService {
  const kinds = opts.kinds ?? SENSOR_KINDS;
  const check = createDocumentChecker(kinds);
  const parse = createConfigParser({ kinds });
  let running = opts.initial;
  /** Hash of the file text the running configuration corresponds to (undefined until first read). */
  let fileHash: string | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const readFileText = async (): Promise<string | undefined> => {
    if (opts.filePath === undefined) return undefined;
    const text = await readFile(opts.filePath, 'utf8');
    if (fileHash === undefined) {
      // First read: the file must still say what is running (it may have been edited, or be the
      // invalid file the app fell back from); otherwise it counts as changed on disk.
      let same = false;
      try {
        same = isDeepStrictEqual(parseDocument(text, { merge: true }).toJS({ maxAliasCount: 1000 }), running.document);
      } catch {
        same = false;
      }
      fileHash = same ? hash(text) : '';
    }
    return text;
  };

  const writeFileText = async (text: string): Promise<void> => {
    const path = opts.filePath!;
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
    fileHash = hash(text);
  };

  /** Puts the previous configuration back into the engine after a failed change; its own failure is logged. */
  const restore = async (prev: RunningConfig, why: unknown): Promise<void> => {
    try {
      await opts.apply(prev.tree, prev.document);
    } catch (e) {
      opts.log?.(`config: could not put v${prev.version} back after ${describe(why)}: ${describe(e)}`);
    }
  };

  /**
   * All or nothing as the user sees it: the engine takes the change first (the step most likely to
   * refuse it), then the file is written and the version saved. A failure at any step puts the
   * engine, the file and the running configuration back as they were, and no version is kept.
   */
  const commit = async (document: unknown, tree: Tree, source: string, fileText: string | undefined, previousText: string | undefined): Promise<RunningConfig> => {
    const prev = running;
    try {
      await opts.apply(tree, document);
    } catch (e) {
      await restore(prev, e);
      throw new ConfigApplyError(`the change could not be put into service (${describe(e)}): nothing was changed, v${prev.version} stays in force`, { cause: e });
    }
    let wrote = false;
    try {
      if (fileText !== undefined) {
        await writeFileText(fileText);
        wrote = true;
      }
      const version = await opts.store.saveConfig(document, source, opts.now());
      running = { version, document, tree, source };
      return running;
    } catch (e) {
      if (wrote && previousText !== undefined) await writeFileText(previousText).catch((w: unknown) => opts.log?.(`config: could not restore ${opts.filePath}: ${describe(w)}`));
      await restore(prev, e);
      throw new ConfigApplyError(`the change could not be saved (${describe(e)}): nothing was changed, v${prev.version} stays in force`, { cause: e });
    }
  };

  return {
    current: () => running,
    reload() {
      return serial(async (): Promise<ReloadOutcome> => {
        if (opts.filePath === undefined) throw new Error('no configuration file to reload');
        let text: string;
        try {
          text = await readFile(opts.filePath, 'utf8');
        } catch (err) {
          return { ok: false, errors: [{ file: opts.filePath, line: 1, column: 1, path: '', message: `cannot read the file: ${(err as Error).message}` }] };
        }
        const r = parse(text, opts.filePath);
        if (!r.ok) return { ok: false, errors: r.errors };
        const prev = running;
        try {
          await opts.apply(r.tree, r.document);
        } catch (e) {
          await restore(prev, e);
          throw new ConfigApplyError(`${opts.filePath} could not be put into service (${describe(e)}): v${prev.version} stays in force`, { cause: e });
        }
        let version: number;
        try {
          version = await opts.store.saveConfig(r.document, opts.filePath, opts.now());
        } catch (e) {
          await restore(prev, e);
          throw new ConfigApplyError(`${opts.filePath} could not be saved as a version (${describe(e)}): v${prev.version} stays in force`, { cause: e });
        }
        running = { version, document: r.document, tree: r.tree, source: opts.filePath };
        fileHash = hash(text);
        return { ok: true, config: running, warnings: r.warnings };
      });
    },
    async yaml() {
      return (await readFileText()) ?? stringify(running.document, { lineWidth: 0 });
    },
    edit(planFn, source) {
      return serial(async (): Promise<EditOutcome> => {
        const before = running;
        const plan = planFn(before);
        if (isRefusal(plan)) return { ok: false, refusal: plan };
        // JSON round trip: request bodies may carry undefined members the YAML must never see.
        const document = JSON.parse(JSON.stringify(applyOps(before.document, plan.ops))) as unknown;
        const r = check(document);
        if (!r.ok) return { ok: false, problems: r.problems, plan };
        let fileText: string | undefined;
        const current = await readFileText();
        if (current !== undefined) {
          if (hash(current) !== fileHash) {
            throw new ConfigFileChangedError(`${opts.filePath} changed on disk since it was loaded: reload it (SIGHUP) before editing through the API`);
          }
          fileText = applyOpsToYaml(current, plan.ops, document);
          if (fileText === undefined) {
            opts.log?.(`config: ${opts.filePath} could not be edited in place (anchors or merge keys); rewritten as a whole`);
            fileText = stringify(document, { lineWidth: 0 });
          }
        }
        const config = await commit(document, r.tree, source, fileText, current);
        return { ok: true, before, config, plan, warnings: r.warnings };
      });
    },
    import(text, source, preview, authorize) {
      return serial(async (): Promise<ImportOutcome> => {
        const r = parse(text, source);
        if (!r.ok) return { ok: false, errors: r.errors };
        const diff = diffTrees(running.tree, r.tree);
        const withoutSites = (d: unknown) => ({ ...(d as Record<string, unknown>), sites: undefined });
        const globalChanged = !isDeepStrictEqual(withoutSites(running.document), withoutSites(r.document));
        const refused = authorize?.({ diff, before: running, tree: r.tree, globalChanged });
        if (refused !== undefined) return { ok: false, refused, diff };
        if (preview) return { ok: true, applied: false, diff, config: running, warnings: r.warnings };
        let current: string | undefined;
        if (opts.filePath !== undefined) {
          current = await readFileText();
          if (current !== undefined && hash(current) !== fileHash) {
            throw new ConfigFileChangedError(`${opts.filePath} changed on disk since it was loaded: reload it (SIGHUP) before importing through the API`);
          }
        }
        const config = await commit(r.document, r.tree, source, opts.filePath !== undefined ? text : undefined, current);
        return { ok: true, applied: true, diff, config, warnings: r.warnings };
      });
    },
  };
}
