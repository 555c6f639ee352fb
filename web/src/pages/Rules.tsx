// Notification rules: which state changes notify whom, through which channel, with escalation.

import { ConfigList } from '../components/ConfigList.tsx';

export function RulesPage() {
  return (
    <section>
      <h1 tabIndex={-1}>Notification rules</h1>
      <ConfigList
        url="/api/alerting/rules"
        noun="Rule"
        example={{ name: 'pacs-down', scope: [], trigger: { held: { state: 'down', for: '2m' } }, to: ['oncall:radiology'], channels: ['email'] }}
        describe={(e) =>
          [
            Array.isArray(e.scope) && e.scope.length > 0 ? `on ${(e.scope as string[]).join(', ')}` : 'everywhere',
            typeof e.trigger === 'object' && e.trigger !== null ? `when ${Object.keys(e.trigger).join(' or ')}` : '',
            Array.isArray(e.to) ? `to ${(e.to as string[]).join(', ')}` : '',
            Array.isArray(e.channels) ? `by ${(e.channels as string[]).join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' · ')
        }
      />
    </section>
  );
}
