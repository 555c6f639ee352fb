// Settings of the Slack incoming webhook. The webhook URL is itself a credential, so it may come from
// the secrets file instead of the YAML.

import { z } from 'zod';
import { httpUrl, secretName } from '../fields.ts';

export const slackSettings = z.strictObject({
  url: httpUrl.optional().describe('Incoming webhook URL (or urlSecret)'),
  urlSecret: secretName.optional().describe('Secret holding the incoming webhook URL'),
}).superRefine((s, ctx) => {
  if ((s.url === undefined) === (s.urlSecret === undefined)) ctx.addIssue({ code: 'custom', message: 'expected exactly one of url or urlSecret' });
});
export type SlackSettings = z.infer<typeof slackSettings>;
