// Moving a probe's configuration over NATS: a subtree of 25,000 sensors is megabytes of JSON, more
// than one message may carry (max_payload), so the core gzips it and serves it in chunks; the hello
// answer or push carries only a manifest (fingerprint, chunk count), and the probe fetches the
// chunks when the fingerprint is not the one it runs.

import { gunzipSync, gzipSync } from 'node:zlib';
import { headers, type Msg, type NatsConnection } from 'nats';
import { asProbeConfig, type ConfigManifest } from './protocol.ts';
import { subjects } from './subjects.ts';
import type { ProbeConfig } from './tree-wire.ts';

export const CHUNK_BYTES = 256 * 1024;
const ERROR_HEADER = 'Wardwatch-Error';

export interface EncodedConfig {
  readonly manifest: ConfigManifest;
  readonly chunks: readonly Uint8Array[];
}

export function encodeConfig(cfg: ProbeConfig, chunkBytes = CHUNK_BYTES): EncodedConfig {
  const gz = gzipSync(JSON.stringify(cfg));
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < gz.byteLength; i += chunkBytes) chunks.push(gz.subarray(i, i + chunkBytes));
  if (chunks.length === 0) chunks.push(new Uint8Array());
  return { manifest: { fingerprint: cfg.fingerprint, chunks: chunks.length, bytes: gz.byteLength }, chunks };
}

/** The core's answer to a chunk request: the bytes, or an error header (e.g. the configuration changed meanwhile). */
export function answerChunk(msg: Msg, encoded: EncodedConfig | undefined, index: number, fingerprint: string): void {
  if (!encoded || encoded.manifest.fingerprint !== fingerprint || index >= encoded.chunks.length) {
    const h = headers();
    h.set(ERROR_HEADER, encoded ? `configuration ${fingerprint} chunk ${index} is not available (the current one is ${encoded.manifest.fingerprint})` : 'no configuration for this probe');
    msg.respond(new Uint8Array(), { headers: h });
    return;
  }
  msg.respond(encoded.chunks[index]);
}

/** Fetches every chunk in order and checks that the result is the announced configuration. */
export async function fetchConfig(nc: NatsConnection, probe: string, m: ConfigManifest, timeoutMs = 10_000): Promise<ProbeConfig> {
  const parts: Uint8Array[] = [];
  for (let index = 0; index < m.chunks; index++) {
    const reply = await nc.request(subjects.configChunk(probe), JSON.stringify({ fingerprint: m.fingerprint, index }), { timeout: timeoutMs });
    const err = reply.headers?.get(ERROR_HEADER);
    if (err) throw new Error(`the core could not send configuration chunk ${index + 1}/${m.chunks}: ${err}`);
    parts.push(reply.data);
  }
  const gz = Buffer.concat(parts);
  if (gz.byteLength !== m.bytes) throw new Error(`configuration ${m.fingerprint}: received ${gz.byteLength} bytes, expected ${m.bytes}`);
  const cfg = asProbeConfig(JSON.parse(gunzipSync(gz).toString('utf8')) as unknown, `configuration ${m.fingerprint}`);
  if (cfg.fingerprint !== m.fingerprint) throw new Error(`configuration ${m.fingerprint}: the chunks hold ${cfg.fingerprint}`);
  return cfg;
}
