// `wardwatch security ...`: the security posture from the command line, against the data dir's
// SQLite store or a postgres:// store: feed and SBOM imports (with progress lines), findings,
// triage, VEX in and out, and the posture report as CSV or JSON.

import { readFile, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { formatConfigError, loadConfigFile } from '../config/load.ts';
import type { Tree } from '../core/tree.ts';
import { buildReport, reportCsv } from '../security/report/report.ts';
import { SecurityInputError, SecurityService } from '../security/service/service.ts';
import type { ImportProgress } from '../security/service/service.ts';
import { openSecurityStore } from '../security/store-open.ts';
import type { StoredFinding } from '../security/store.ts';
import { importVex } from '../security/vex/import.ts';
import { Triage } from '../security/vex/triage.ts';
import { exportVex } from '../security/vex/vex.ts';
import { systemClock } from '../shared/clock.ts';
import { openStore } from '../store/open.ts';
import type { Io } from './io.ts';

export const SECURITY_USAGE = `usage: wardwatch security <command> [--data DIR] [--store URL] ...

  import-feed FILE...                  NVD CVE JSON 2.0, CISA KEV, OSV or CSAF 2.0 (detected), in one transaction
  import-sbom FILE --device ID | --model NAME
                                       CycloneDX 1.4–1.6 or SPDX 2.3 JSON; prints the NTIA gaps
  device ID [--model NAME] [--manufacturer M] [--version V]
                                       a device's model (whose SBOM it then runs too), maker, firmware
  findings [--device ID] [--all] [--json]
                                       open findings (--all: also closed), highest risk first
  triage FINDING --state S [--justification J] [--response R]... [--detail TEXT] --by NAME
  import-vex FILE [--device ID | --model NAME] --by NAME
  export-vex [--device ID] [--out FILE]
  report [--format csv|json] [--config FILE] [--out FILE]
                                       per device and per clinical system (--config gives the groups)
`;

const OPTIONS = {
  data: { type: 'string', default: './data' },
  store: { type: 'string' },
  device: { type: 'string' },
  model: { type: 'string' },
  all: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  format: { type: 'string', default: 'csv' },
  config: { type: 'string' },
  out: { type: 'string' },
  state: { type: 'string' },
  justification: { type: 'string' },
  response: { type: 'string', multiple: true },
  detail: { type: 'string' },
  by: { type: 'string' },
  manufacturer: { type: 'string' },
  version: { type: 'string' },
} as const;

class UsageError extends Error {}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function progressLine(p: ImportProgress): string {
  if (p.phase === 'read') return `read ${p.file ?? ''} (${p.kind ?? '?'}): ${p.records} records so far, ${seconds(p.elapsedMs)}`;
  if (p.phase === 'store') return `stored ${p.records} records, ${seconds(p.elapsedMs)}`;
  return `matched: ${p.matched ?? 0} findings from ${p.records} records, ${seconds(p.elapsedMs)}`;
}

function findingLine(f: StoredFinding): string {
  const state = f.analysis ? ` [${f.analysis.state}]` : '';
  const where = f.componentVersion ? `${f.componentName} ${f.componentVersion}` : f.componentName;
  return `${f.id}  ${f.risk.score.toFixed(1).padStart(4)} ${f.risk.severity.padEnd(8)} ${f.kev ? 'KEV ' : '    '}${f.vulnId.padEnd(16)} ${f.subject}: ${where}${f.status === 'possible' ? ' (possible)' : ''}${state}${f.open ? '' : ' (closed)'}`;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new SecurityInputError(`${file}: cannot read the file: ${code === 'ENOENT' ? 'file not found' : (err as Error).message}`);
  }
}

export async function securityCommand(argv: readonly string[], io: Io, now: () => number = () => systemClock.now()): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help') {
    io.out(SECURITY_USAGE);
    return sub === undefined ? 2 : 0;
  }
  let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 2;
  }
  const v = parsed.values;
  const str = (k: string): string | undefined => {
    const x = v[k];
    return typeof x === 'string' ? x : undefined;
  };
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let store;
  try {
    store = await openStore({ dataDir: str('data') ?? './data', ...(str('store') !== undefined ? { url: str('store') } : {}) });
  } catch (e) {
    io.err(`cannot open the store: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const sec = await openSecurityStore(store);
    const clock = { now };
    const service = new SecurityService({ store: sec, clock });
    const triage = new Triage(sec, clock, undefined);
    switch (sub) {
      case 'import-feed': {
        if (parsed.positionals.length === 0) throw new UsageError('import-feed needs at least one FILE');
        const files = [];
        for (const f of parsed.positionals) files.push({ name: f, text: await readText(f) });
        const r = await service.importFeeds(files, (p) => io.out(`${progressLine(p)}\n`), elapsed);
        io.out(`feeds: ${r.vulns.inserted} new, ${r.vulns.updated} updated, ${r.vulns.unchanged} unchanged; KEV: ${r.kev.inserted} new, ${r.kev.updated} updated, ${r.kev.unchanged} unchanged\n`);
        io.out(`findings: ${r.scan.findings} (${r.scan.open} open, ${r.scan.added} new, ${r.scan.resolved} resolved)\n`);
        for (const p of r.scan.problems) io.err(`warning: ${p}\n`);
        return 0;
      }
      case 'import-sbom': {
        const [file, ...more] = parsed.positionals;
        const device = str('device');
        const model = str('model');
        if (file === undefined || more.length > 0 || (device === undefined) === (model === undefined)) throw new UsageError('import-sbom needs one FILE and either --device ID or --model NAME');
        const r = await service.importSbom(await readText(file), device !== undefined ? { deviceId: device } : { model: model! }, file);
        io.out(`${file}: ${r.components} components for ${device !== undefined ? `device ${device}` : `model ${model!}`}\n`);
        if (r.ntia.document.length > 0) io.out(`NTIA minimum elements missing in the document: ${r.ntia.document.join(', ')}\n`);
        for (const g of r.ntia.components) io.out(`NTIA minimum elements missing in component ${g.componentId}: ${g.missing.join(', ')}\n`);
        io.out(`findings: ${r.scan.findings} (${r.scan.open} open, ${r.scan.added} new, ${r.scan.resolved} resolved)\n`);
        return 0;
      }
      case 'device': {
        const [id, ...more] = parsed.positionals;
        if (id === undefined || more.length > 0) throw new UsageError('device needs one device ID');
        const prev = await sec.device(id);
        const inv = {
          deviceId: id, components: prev?.components ?? [], sbom: prev?.sbom,
          manufacturer: str('manufacturer') ?? prev?.manufacturer, model: str('model') ?? prev?.model, version: str('version') ?? prev?.version,
        };
        const r = await service.setDevice(inv);
        io.out(`device ${id}: model ${inv.model ?? '(none)'}, manufacturer ${inv.manufacturer ?? '(none)'}, version ${inv.version ?? '(none)'}, ${inv.components.length} own components\n`);
        io.out(`findings: ${r.findings} (${r.open} open, ${r.added} new, ${r.resolved} resolved)\n`);
        return 0;
      }
      case 'findings': {
        const device = str('device');
        const list = (await sec.findings({ ...(device !== undefined ? { subject: device } : {}), ...(v.all === true ? {} : { open: true }) }))
          .sort((a, b) => b.risk.score - a.risk.score || a.vulnId.localeCompare(b.vulnId));
        if (v.json === true) io.out(`${JSON.stringify(list, null, 2)}\n`);
        else io.out(list.length === 0 ? 'no findings\n' : `${list.map(findingLine).join('\n')}\n`);
        return 0;
      }
      case 'triage': {
        const [id, ...more] = parsed.positionals;
        const by = str('by');
        if (id === undefined || more.length > 0 || by === undefined) throw new UsageError('triage needs one FINDING id and --by NAME');
        const f = await triage.set(id, {
          state: str('state'), ...(str('justification') !== undefined ? { justification: str('justification') } : {}),
          responses: (v.response as string[] | undefined) ?? [], ...(str('detail') !== undefined ? { detail: str('detail') } : {}),
        }, { name: by });
        io.out(`${findingLine(f)}\n`);
        return 0;
      }
      case 'import-vex': {
        const [file, ...more] = parsed.positionals;
        const by = str('by');
        if (file === undefined || more.length > 0 || by === undefined) throw new UsageError('import-vex needs one FILE and --by NAME');
        const r = await importVex(sec, triage, await readText(file), file, { deviceId: str('device'), model: str('model') }, { name: by });
        io.out(`${file} (${r.format} ${r.document}): ${r.applied} statements applied\n`);
        for (const u of r.unmatched) io.out(`no finding for ${u}\n`);
        return 0;
      }
      case 'export-vex': {
        const device = str('device');
        const doc = exportVex(await sec.findings(device !== undefined ? { subject: device } : {}), { now: now(), serial: `urn:uuid:${randomUUID()}` });
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        if (str('out') !== undefined) await writeFile(str('out')!, text);
        else io.out(text);
        return 0;
      }
      case 'report': {
        const format = str('format');
        if (format !== 'csv' && format !== 'json') throw new UsageError(`--format: expected csv or json, got "${format ?? ''}"`);
        let tree: Tree | undefined;
        if (str('config') !== undefined) {
          const c = await loadConfigFile(str('config')!);
          if (!c.ok) {
            io.err(`${c.errors.map(formatConfigError).join('\n')}\n`);
            return 1;
          }
          tree = c.tree;
        }
        const rows = buildReport({ findings: await sec.findings(), devices: await sec.devices(), models: await sec.models(), tree, now: now() });
        const text = format === 'csv' ? reportCsv(rows) : `${JSON.stringify(rows, null, 2)}\n`;
        if (str('out') !== undefined) await writeFile(str('out')!, text);
        else io.out(text);
        return 0;
      }
      default:
        throw new UsageError(`unknown security command "${sub}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n${SECURITY_USAGE}`);
      return 2;
    }
    if (e instanceof SecurityInputError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await store.close();
  }
}
