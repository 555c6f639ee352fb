// Date macros for C-FIND keys: "today", "yesterday", "tomorrow", "today-7d", "today+1d" and
// ranges "today-7d..today", resolved to DICOM dates (YYYYMMDD, ranges YYYYMMDD-YYYYMMDD) in the
// probe's time zone, so that "today's worklist" means the ward's today, not UTC's.

const MACRO = /^(today|yesterday|tomorrow)(?:([+-])(\d{1,4})d)?$/;
const DICOM_DATE = /^\d{8}$/;

/** The calendar date (y, m, d) at epochMs in the IANA time zone. */
function calendarDate(epochMs: number, timeZone: string): [number, number, number] {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(epochMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return [get('year'), get('month'), get('day')];
}

function shifted([y, m, d]: [number, number, number], days: number): string {
  // Calendar arithmetic on a UTC date: no DST hour can move the day.
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${t.getUTCFullYear()}${String(t.getUTCMonth() + 1).padStart(2, '0')}${String(t.getUTCDate()).padStart(2, '0')}`;
}

function one(v: string, today: [number, number, number]): string | undefined {
  if (v === '' || DICOM_DATE.test(v)) return v;
  const m = MACRO.exec(v);
  if (!m) return undefined;
  const base = m[1] === 'yesterday' ? -1 : m[1] === 'tomorrow' ? 1 : 0;
  const offset = m[3] ? Number(m[3]) * (m[2] === '-' ? -1 : 1) : 0;
  return shifted(today, base + offset);
}

/** Is the value a date macro or range this module understands (or a plain DICOM date)? */
export function isDateValue(v: string): boolean {
  return resolveDate(v, 0, 'UTC') !== undefined;
}

/** Resolves a macro or range to DICOM; undefined when the value is neither a macro nor a DICOM date/range. */
export function resolveDate(value: string, epochMs: number, timeZone: string): string | undefined {
  const v = value.trim();
  const today = calendarDate(epochMs, timeZone);
  if (v.includes('..')) {
    const [a, b, ...rest] = v.split('..');
    if (rest.length) return undefined;
    const from = one(a!.trim(), today);
    const to = one(b!.trim(), today);
    return from === undefined || to === undefined ? undefined : `${from}-${to}`;
  }
  if (/^\d{8}-\d{8}$|^-\d{8}$|^\d{8}-$/.test(v)) return v;
  return one(v, today);
}

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
