// The template language and the notification scope: sections, inverted sections, raw values,
// escaping per medium, and parse errors with their line and column.

import { describe, expect, it } from 'vitest';
import type { Notification } from '../notification.ts';
import { compile, escapeHtml, escapeLine, escapeNone, escapeSlack, render, scopeOf } from './index.ts';
import { renderTemplate } from './engine.ts';

const n: Notification = {
  key: 'k',
  alertId: 'a-1',
  ruleName: 'r',
  kind: 'grouped',
  channel: 'mail',
  recipient: { name: 'dr-night' },
  createdAt: Date.UTC(2026, 0, 5, 8, 0, 0),
  vars: {
    title: 'Switch <3> & co',
    state: 'Down',
    since: Date.UTC(2026, 0, 5, 7, 58, 0),
    message: 'outer',
    members: [{ sensorId: 's1', name: 'CT', state: 'Down', message: 'no echo' }, { sensorId: 's2', name: 'MR', state: 'Down' }],
  },
};

function run(src: string, escape = escapeNone): string {
  return renderTemplate(compile(src), scopeOf(n), escape);
}

describe('templates', () => {
  it('substitutes variables, formats times and loops over members without leaking outer values', () => {
    expect(run('{{kindLabel}}: {{title}} since {{since}} ({{sinceIso}})')).toBe('Alert (grouped): Switch <3> & co since 2026-01-05 07:58:00 UTC (2026-01-05T07:58:00.000Z)');
    expect(run('{{#members}}[{{name}}{{#message}}: {{message}}{{/message}}]{{/members}} of {{memberCount}}')).toBe('[CT: no echo][MR] of 2');
    expect(run('{{#runbook}}do {{runbook}}{{/runbook}}{{^runbook}}no runbook{{/runbook}}')).toBe('no runbook');
    expect(run('{{value}}|{{ackUrl}}|')).toBe('||');
  });

  it('escapes for the medium unless the variable is in triple braces', () => {
    expect(run('{{title}}', escapeHtml)).toBe('Switch &#60;3&#62; &#38; co');
    expect(run('{{{title}}}', escapeHtml)).toBe('Switch <3> & co');
    expect(run('{{title}}', escapeSlack)).toBe('Switch &lt;3&gt; &amp; co');
    expect(renderTemplate(compile('{{message}}'), { message: 'a\r\nb\tc' }, escapeLine)).toBe('a b c');
  });

  it('uses the override when a channel instance has one, else the default', () => {
    expect(render('subject', { subject: 'default {{state}}' }, {}, n, escapeNone)).toBe('default Down');
    expect(render('subject', { subject: 'default' }, { subject: 'mine {{rule}}' }, n, escapeNone)).toBe('mine r');
    expect(() => render('body', { subject: 'x' }, {}, n, escapeNone)).toThrow('no template named "body"');
  });

  it('reports mistakes with line and column', () => {
    expect(() => compile('ok\n  {{nope}}')).toThrow('unknown variable "nope" at line 2, column 3');
    expect(() => compile('{{name}}')).toThrow('unknown variable "name" at line 1, column 1');
    expect(() => compile('{{#members}}{{/member}}')).toThrow('{{/member}} at line 1, column 13 closes {{#members}} opened at line 1, column 1');
    expect(() => compile('{{/members}}')).toThrow('{{/members}} closes a section that was never opened at line 1, column 1');
    expect(() => compile('{{#state}}x')).toThrow('{{#state}} opened at line 1, column 1 is never closed');
    expect(() => compile('a {{ 1 }}')).toThrow('malformed tag at line 1, column 3');
    expect(() => compile('{{{title}}')).toThrow('unbalanced braces in {{{title}} at line 1, column 1');
  });
});
