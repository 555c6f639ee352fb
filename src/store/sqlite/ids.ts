// Integer ids for sensors and (sensor, channel) series, cached in memory so that value rows stay
// small (two integers and a real) and the hot write path does no extra lookup once a series is known.

import type Database from 'better-sqlite3';

export class SeriesIds {
  /** sensor name → channel → series id: nested maps, so that the hot path builds no key strings. */
  readonly #series = new Map<string, Map<string, number>>();
  readonly #sensors = new Map<string, number>();
  readonly #insertSensor: Database.Statement<[string]>;
  readonly #selectSensor: Database.Statement<[string], number>;
  readonly #insertSeries: Database.Statement<[number, string]>;
  readonly #selectSeries: Database.Statement<[number, string], number>;

  constructor(db: Database.Database) {
    this.#insertSensor = db.prepare('INSERT INTO sensor (name) VALUES (?) ON CONFLICT (name) DO NOTHING');
    this.#selectSensor = db.prepare<[string], number>('SELECT id FROM sensor WHERE name = ?').pluck();
    this.#insertSeries = db.prepare('INSERT INTO series (sensor_ref, channel) VALUES (?, ?) ON CONFLICT (sensor_ref, channel) DO NOTHING');
    this.#selectSeries = db.prepare<[number, string], number>('SELECT id FROM series WHERE sensor_ref = ? AND channel = ?').pluck();
  }

  /** The sensor's id, created when missing. Call inside the write transaction. */
  sensor(name: string): number {
    const cached = this.#sensors.get(name);
    if (cached !== undefined) return cached;
    this.#insertSensor.run(name);
    const id = this.#selectSensor.get(name);
    if (id === undefined) throw new Error(`sensor id for ${JSON.stringify(name)} vanished`);
    this.#sensors.set(name, id);
    return id;
  }

  /** The series id, created when missing. Call inside the write transaction. */
  series(sensorId: string, channel: string): number {
    const cached = this.#series.get(sensorId)?.get(channel);
    if (cached !== undefined) return cached;
    const ref = this.sensor(sensorId);
    this.#insertSeries.run(ref, channel);
    const id = this.#selectSeries.get(ref, channel);
    if (id === undefined) throw new Error(`series id for ${JSON.stringify([sensorId, channel])} vanished`);
    this.#remember(sensorId, channel, id);
    return id;
  }

  /** Looks a sensor up without creating it (readers must not create rows). */
  findSensor(name: string): number | undefined {
    const cached = this.#sensors.get(name);
    if (cached !== undefined) return cached;
    const id = this.#selectSensor.get(name);
    if (id !== undefined) this.#sensors.set(name, id);
    return id;
  }

  findSeries(sensorId: string, channel: string): number | undefined {
    const cached = this.#series.get(sensorId)?.get(channel);
    if (cached !== undefined) return cached;
    const ref = this.findSensor(sensorId);
    if (ref === undefined) return undefined;
    const id = this.#selectSeries.get(ref, channel);
    if (id !== undefined) this.#remember(sensorId, channel, id);
    return id;
  }

  #remember(sensorId: string, channel: string, id: number): void {
    let channels = this.#series.get(sensorId);
    if (channels === undefined) this.#series.set(sensorId, (channels = new Map<string, number>()));
    channels.set(channel, id);
  }

  /**
   * Forgets every cached id. Called when a write transaction rolls back: ids created inside it no
   * longer exist, and SQLite would hand the same integers to other series later.
   */
  reset(): void {
    this.#series.clear();
    this.#sensors.clear();
  }
}
