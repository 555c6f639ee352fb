// A state shown so that it reads without colour: an icon shape and the word, the colour only adds.

export const STATES = ['down', 'warning', 'unknown', 'paused', 'up'] as const;
export type State = (typeof STATES)[number];

const LOOK: Readonly<Record<State, { icon: string; word: string }>> = {
  up: { icon: '▲', word: 'Up' },
  warning: { icon: '◆', word: 'Warning' },
  down: { icon: '✖', word: 'Down' },
  paused: { icon: '❚❚', word: 'Paused' },
  unknown: { icon: '?', word: 'Unknown' },
};

export function stateWord(s: State): string {
  return LOOK[s]?.word ?? s;
}

export function StateBadge({ state, acknowledged, pauseReason }: { state: State; acknowledged?: boolean; pauseReason?: string | undefined }) {
  const look = LOOK[state] ?? LOOK.unknown;
  return (
    <span className={`state state-${state}${acknowledged ? ' state-ack' : ''}`}>
      <span className="state-icon" aria-hidden="true">
        {look.icon}
      </span>
      {look.word}
      {acknowledged ? ' (acknowledged)' : ''}
      {pauseReason && state === 'paused' ? ` (${pauseReason})` : ''}
    </span>
  );
}

/** Counts per state as a compact row of badges ("✖ 2 Down ◆ 1 Warning ▲ 40 Up"). */
export function StateCounts({ counts, label }: { counts: Partial<Record<State, number>>; label?: string }) {
  const shown = STATES.filter((s) => (counts[s] ?? 0) > 0);
  return (
    <span className="counts" aria-label={label}>
      {shown.length === 0 ? <span className="muted">no sensors</span> : null}
      {shown.map((s) => (
        <span key={s} className={`count state-${s}`}>
          <span className="state-icon" aria-hidden="true">
            {LOOK[s].icon}
          </span>
          {counts[s]} {LOOK[s].word}
        </span>
      ))}
    </span>
  );
}
