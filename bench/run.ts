// `npm run bench [-- NAME ...]`: runs the benchmarks (all, or the named ones) one after another
// and prints each one's figures. Each bench module exports run(): Promise<Record<string, ...>>.

const BENCHES = ['store', 'store-postgres', 'alerting', 'delivery', 'outage', 'api', 'console', 'cluster', 'scheduler', 'dicom', 'hl7', 'snmp', 'dicom-scale', 'syslog', 'security'] as const;

interface BenchModule {
  run(): Promise<Record<string, number | string>>;
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const w of wanted) {
  if (!(BENCHES as readonly string[]).includes(w)) {
    console.error(`unknown benchmark "${w}"; known: ${BENCHES.join(', ')}`);
    process.exit(2);
  }
}
const selected = wanted.length > 0 ? wanted : [...BENCHES];
for (const name of selected) {
  console.log(`\n=== bench/${name} ===`);
  const mod = (await import(`./${name}.ts`)) as BenchModule;
  const started = Date.now();
  const result = await mod.run();
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(36)} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(2)) : v}`);
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
