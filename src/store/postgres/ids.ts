// Integer ids for sensors and (sensor, channel) series, cached in memory. New ones are created in
// bulk, committed on their own before the batch that uses them, so an id once cached stays valid
// even if that batch fails, and several processes creating the same series agree on one id.

import type { Pool } from 'pg';

export class PgSeriesIds {
  readonly #pool: Pool;
  readonly #sensors = new Map<string, number>();
  readonly #series = new Map<string, Map<string, number>>();

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  cachedSensor(name: string): number | undefined {
    return this.#sensors.get(name);
  }

  cachedSeries(sensorId: string, channel: string): number | undefined {
    return this.#series.get(sensorId)?.get(channel);
  }

  /** Creates (or looks up) every sensor named and caches its id. */
  async ensureSensors(names: readonly string[]): Promise<void> {
    const missing = [...new Set(names.filter((n) => !this.#sensors.has(n)))].sort();
    if (missing.length === 0) return;
    await this.#pool.query('INSERT INTO sensor (name) SELECT n FROM unnest($1::text[]) AS n ORDER BY n ON CONFLICT (name) DO NOTHING', [missing]);
    const res = await this.#pool.query<{ id: number; name: string }>('SELECT id, name FROM sensor WHERE name = ANY($1::text[])', [missing]);
    for (const r of res.rows) this.#sensors.set(r.name, r.id);
  }

  /** Creates (or looks up) every (sensor, channel) series named and caches its id. */
  async ensureSeries(pairs: readonly (readonly [string, string])[]): Promise<void> {
    const missing = pairs.filter(([s, c]) => this.cachedSeries(s, c) === undefined);
    if (missing.length === 0) return;
    await this.ensureSensors(missing.map(([s]) => s));
    const refs: number[] = [];
    const channels: string[] = [];
    const seen = new Set<string>();
    for (const [s, c] of missing) {
      const ref = this.#sensors.get(s) as number;
      const key = `${ref}\u0000${c}`;
      if (seen.has(key)) continue;
      seen.add(key);
      refs.push(ref);
      channels.push(c);
    }
    await this.#pool.query(
      'INSERT INTO series (sensor_ref, channel) SELECT r, c FROM unnest($1::int[], $2::text[]) AS u(r, c) ORDER BY r, c ON CONFLICT (sensor_ref, channel) DO NOTHING',
      [refs, channels],
    );
    const res = await this.#pool.query<{ id: number; name: string; channel: string }>(
      `SELECT s.id, n.name, s.channel FROM series s JOIN unnest($1::int[], $2::text[]) AS u(r, c) ON s.sensor_ref = u.r AND s.channel = u.c
       JOIN sensor n ON n.id = s.sensor_ref`,
      [refs, channels],
    );
    for (const r of res.rows) this.#remember(r.name, r.channel, r.id);
  }

  /** Looks a sensor up without creating it (readers must not create rows). */
  async findSensor(name: string): Promise<number | undefined> {
    const cached = this.#sensors.get(name);
    if (cached !== undefined) return cached;
    const res = await this.#pool.query<{ id: number }>('SELECT id FROM sensor WHERE name = $1', [name]);
    const id = res.rows[0]?.id;
    if (id !== undefined) this.#sensors.set(name, id);
    return id;
  }

  async findSeries(sensorId: string, channel: string): Promise<number | undefined> {
    const cached = this.cachedSeries(sensorId, channel);
    if (cached !== undefined) return cached;
    const ref = await this.findSensor(sensorId);
    if (ref === undefined) return undefined;
    const res = await this.#pool.query<{ id: number }>('SELECT id FROM series WHERE sensor_ref = $1 AND channel = $2', [ref, channel]);
    const id = res.rows[0]?.id;
    if (id !== undefined) this.#remember(sensorId, channel, id);
    return id;
  }

  #remember(sensorId: string, channel: string, id: number): void {
    let channels = this.#series.get(sensorId);
    if (channels === undefined) this.#series.set(sensorId, (channels = new Map<string, number>()));
    channels.set(channel, id);
  }
}
