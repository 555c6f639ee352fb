// Settings of the Microsoft Teams workflow webhook (Power Automate "post to a channel when a webhook request is received"). The webhook URL is itself a credential, so it may come from
// the secrets file instead of the YAML.

import { z } from 'zod';
import { httpUrl, secretName } from '../fields.ts';

export const teamsSettings = z.strictObject({
  url: httpUrl.optional().describe('Workflow webhook URL (or urlSecret)'),
  urlSecret: secretName.optional().describe('Secret holding the workflow webhook URL'),
}).superRefine((s, ctx) => {
  if ((s.url === undefined) === (s.urlSecret === undefined)) ctx.addIssue({ code: 'custom', message: 'expected exactly one of url or urlSecret' });
});
export type TeamsSettings = z.infer<typeof teamsSettings>;
