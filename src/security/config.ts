// The `security:` section of the configuration: vulnerability feeds fetched from URLs on a schedule,
// for a core that may reach NVD, CISA or an internal mirror. Without it, feeds come from files only
// (`wardwatch security import-feed`, the console, the API), as isolated hospital networks need.

import { z } from 'zod';
import { duration } from '../sensors/fields.ts';
import type { FeedSource } from './feeds/schedule.ts';

const feedUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}, { error: (i) => `expected an http(s) URL, got ${JSON.stringify(i.input)}` });

export const securitySchema = z
  .strictObject({
    feeds: z
      .array(
        z.strictObject({
          name: z.string().min(1).describe('Shown in logs and errors, such as "CISA KEV"'),
          url: feedUrl.describe('Where the feed file is fetched (NVD, KEV, OSV or CSAF JSON, detected by content)'),
          interval: duration({ min: 60 }).default(86_400).describe('Time between two fetches (ETag / Last-Modified honoured)'),
        }),
      )
      .default([])
      .superRefine((feeds, ctx) => {
        const seen = new Set<string>();
        feeds.forEach((f, i) => {
          if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `feed name "${f.name}" is used twice` });
          seen.add(f.name);
        });
      })
      .describe('Feeds fetched on a schedule; files can always be imported by hand'),
  })
  .describe('Security posture: vulnerability feeds');

export type SecurityConfig = z.output<typeof securitySchema>;

/** The feed sources of a configuration document's `security:` section (none when it has none). */
export function feedSourcesOf(document: unknown): FeedSource[] {
  const section = securitySchema.parse((document as { security?: unknown } | null)?.security ?? {});
  return section.feeds.map((f) => ({ name: f.name, url: f.url, intervalS: f.interval }));
}
