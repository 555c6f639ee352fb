// Settings of the PagerDuty Events API v2 channel. The routing (integration) key is a credential.

import { z } from 'zod';
import { describeGot } from '../../../sensors/fields.ts';
import { httpUrl, secretName } from '../fields.ts';

export const pagerdutySettings = z.strictObject({
  url: httpUrl.default('https://events.pagerduty.com/v2/enqueue').describe('Events API v2 endpoint'),
  routingKeySecret: secretName.describe('Secret holding the integration (routing) key'),
  source: z.string().min(1).optional().describe('payload.source (default: the device host or name)'),
  component: z.string().min(1).optional(),
  class: z.string().min(1).optional(),
  group: z.string({ error: (i) => `expected text, got ${describeGot(i.input)}` }).min(1).optional().describe('payload.group (default: the clinical system or group)'),
});
export type PagerdutySettings = z.infer<typeof pagerdutySettings>;
