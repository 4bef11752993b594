import { useEffect, useMemo, useState } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import type { SnapshotView, TopSnapshot } from '../../stages/top-state.js';
import { sanitize } from '../sanitize.js';
import { displayWidth, fit } from '../width.js';
import {
  callerLine,
  callerTitle,
  clipboardSequence,
  createLatestLine,
  headerLines,
  heatLine,
  heatTitle,
  hyperlink,
  latestTitle,
  tokenLinks,
  type Theme,
} from './rows.js';

/**
 * The live board in Ink: layout, keys and the redraw clock. It draws a snapshot of the model taken
 * every `refreshMs` (250: at most 4 redraws a second whatever the stream does); keys act on the
 * rows of the snapshot on screen. Every line comes from rows.ts, exactly as wide as the terminal.
 */

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 15;

export interface Snapshotter {
  snapshot(now: number, view: SnapshotView): TopSnapshot;
}

export type Quit = 'q' | 'ctrl-c';

export interface BoardProps {
  state: Snapshotter;
  /** The source as the header names it (credentials redacted). */
  source: string;
  theme: Theme;
  /** --window as typed, and --min-callers, for the Heating up title. */
  windowText: string;
  minCallers: number;
  onQuit(how: Quit): void;
  /** Writes a terminal sequence (OSC 52) straight to the terminal. */
  writeTerminal(sequence: string): void;
  /** The latest warning of the run, shown in the footer. */
  notice?: () => string | undefined;
  refreshMs?: number;
  now?: () => number;
  /** The terminal's size; read from stdout (and its resizes) when not given. */
  size?: { columns: number; rows: number };
  timeZone?: string;
}

type Panel = 'heat' | 'callers' | 'latest';
const PANELS: readonly Panel[] = ['heat', 'callers', 'latest'];
const PANEL_NAMES: Record<Panel, string> = { heat: 'Heating up', callers: 'Callers', latest: 'Latest calls' };

const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['q, Ctrl-C', 'quit'],
  ['p', 'pause the view (the stream goes on and is counted)'],
  ['/', 'filter on symbol, name, caller or address (Enter applies, Esc clears)'],
  ['Tab', 'next panel (Shift-Tab: previous)'],
  ['↑ ↓', 'select a row'],
  ['c', "copy the selected token's address (OSC 52)"],
  ['o', "the selected token's links: DexScreener, Birdeye, Solscan"],
  ['?', 'this help; any key closes it'],
];

/** Rows of each panel for a terminal height: the header, three titles and the footer first. */
export function layout(rows: number): { heat: number; callers: number; latest: number; titles: boolean } {
  // One line short of the terminal: Ink clears the whole screen on every frame that fills it.
  const height = rows - 1;
  const titles = height >= 24;
  const data = Math.max(3, height - 4 - 3 - (titles ? 3 : 0));
  const heat = Math.max(1, Math.ceil(data * 0.35));
  const callers = Math.max(1, Math.floor(data * 0.3));
  return { heat, callers, latest: Math.max(1, data - heat - callers), titles };
}

function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

export function Board(props: BoardProps) {
  const { state, theme, refreshMs = 250 } = props;
  const now = props.now ?? Date.now;
  const terminal = useTerminalSize();
  const { columns, rows } = props.size ?? terminal;
  const [tick, setTick] = useState(0);
  const [paused, setPaused] = useState(false);
  const [frozen, setFrozen] = useState<TopSnapshot | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const [focus, setFocus] = useState<Panel>('heat');
  const [selected, setSelected] = useState<Record<Panel, number>>({ heat: 0, callers: 0, latest: 0 });
  const [overlay, setOverlay] = useState<'help' | 'links' | undefined>(undefined);
  const [flash, setFlash] = useState<{ text: string; until: number } | undefined>(undefined);

  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);

  const space = layout(rows);
  const view: SnapshotView = { heatRows: space.heat, callerRows: space.callers, latestRows: space.latest, filter };
  // A snapshot per tick (and when what it depends on changes), never per call.
  const live = useMemo(() => state.snapshot(now(), view), [tick, filter, space.heat, space.callers, space.latest]);
  const panels = paused && frozen !== undefined ? frozen : live;

  const rowCount = (p: Panel): number => (p === 'heat' ? panels.heat.length : p === 'callers' ? panels.callers.length : panels.latest.length);
  const selectedIndex = (p: Panel): number => Math.min(selected[p], Math.max(0, rowCount(p) - 1));
  const selectedToken = (): { address: string; symbol: string | null } | undefined => {
    const i = selectedIndex(focus);
    if (focus === 'heat') {
      const r = panels.heat[i];
      return r && { address: r.address, symbol: r.symbol };
    }
    if (focus === 'latest') {
      const l = panels.latest[i];
      return l && { address: l.call.tokenAddress, symbol: l.call.tokenSymbol ?? null };
    }
    const best = panels.callers[i]?.best;
    return best ? { address: best.tokenAddress, symbol: best.tokenSymbol } : undefined;
  };
  const say = (text: string) => setFlash({ text, until: now() + 3000 });

  useInput((input, key) => {
    if (key.ctrl && input === 'c') return props.onQuit('ctrl-c');
    if (draft !== undefined) {
      if (key.return) {
        setFilter(draft);
        setDraft(undefined);
      } else if (key.escape) {
        setFilter('');
        setDraft(undefined);
      } else if (key.backspace || key.delete) {
        setDraft(draft.slice(0, -1));
      } else if (input !== '' && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow) {
        setDraft(draft + input);
      }
      return;
    }
    if (overlay === 'help') {
      if (input === 'q') return props.onQuit('q');
      setOverlay(undefined);
      return;
    }
    if (input === 'q') return props.onQuit('q');
    if (overlay === 'links' && (key.escape || input === 'o')) {
      setOverlay(undefined);
      return;
    }
    if (input === '?') return setOverlay('help');
    if (input === 'p') {
      setFrozen(paused ? undefined : live);
      setPaused(!paused);
      return;
    }
    if (input === '/') return setDraft(filter);
    if (key.escape) return setFilter('');
    if (key.tab) {
      const i = PANELS.indexOf(focus);
      setFocus(PANELS[(i + (key.shift ? PANELS.length - 1 : 1)) % PANELS.length]!);
      return;
    }
    if (key.upArrow || key.downArrow) {
      const i = selectedIndex(focus) + (key.upArrow ? -1 : 1);
      setSelected({ ...selected, [focus]: Math.max(0, Math.min(rowCount(focus) - 1, i)) });
      return;
    }
    if (input === 'c') {
      const token = selectedToken();
      if (token === undefined) return say('nothing selected');
      props.writeTerminal(clipboardSequence(token.address));
      return say(`copied ${sanitize(token.address)}`);
    }
    if (input === 'o') {
      if (selectedToken() === undefined) return say('nothing selected');
      setOverlay('links');
    }
  });

  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return (
      <Box flexDirection="column">
        <Text>{`Terminal too small (${columns}×${rows}): top needs at least ${MIN_COLUMNS}×${MIN_ROWS}.`}</Text>
        <Text>q quits.</Text>
      </Box>
    );
  }

  const width = columns;
  const lines: string[] = [...headerLines(live, { source: props.source, paused, width, theme })];
  const title = (p: Panel, extra: string): string => {
    const name = ` ${PANEL_NAMES[p]}${extra} `;
    const head = fit(`──${name}`, Math.min(width, displayWidth(name) + 2));
    const text = head + '─'.repeat(Math.max(0, width - displayWidth(head)));
    return p === focus ? theme.chalk.bold.cyan(text) : theme.chalk.gray(text);
  };
  const pad = (n: number, shown: number) => {
    for (let i = shown; i < n; i++) lines.push('');
  };

  if (overlay === 'help') {
    lines.push(title(focus, ' · keys'));
    for (const [k, what] of KEYS) lines.push(fit(`  ${k.padEnd(10)} ${what}`, width));
    lines.push(fit('  Heating up: tokens with the most distinct callers in the window; * reached --min-callers.', width));
    lines.push(fit('  Callers: the caller board (hit rate, Wilson score, median multiple, best call).', width));
    lines.push(fit('  Latest calls: the newest calls, as `lines` shows them.', width));
  } else if (overlay === 'links') {
    const token = selectedToken();
    lines.push(title(focus, ` · links for ${token ? sanitize(token.symbol ?? '-') : '-'}`));
    if (token !== undefined) {
      lines.push(fit(`  ${sanitize(token.address)}`, width));
      for (const l of tokenLinks(token.address)) {
        const label = `  ${l.name.padEnd(12)} `;
        // The URL is ours (the address percent-encoded): the link's text is cut to fit, not its target.
        lines.push(label + hyperlink(l.url, fit(l.url, Math.max(1, width - displayWidth(label)))));
      }
    }
    lines.push(fit('  Esc or o closes.', width));
  } else {
    const latestLine = createLatestLine(theme, props.timeZone);
    const f = filter === '' ? '' : ` · filter "${sanitize(filter)}"`;
    lines.push(title('heat', ` · ${sanitize(props.windowText)} · * ${props.minCallers}+ callers${f}`));
    if (space.titles) lines.push(theme.chalk.gray(heatTitle(width)));
    panels.heat.forEach((r, i) => lines.push(heatLine(r, { width, now: live.now, selected: focus === 'heat' && i === selectedIndex('heat'), theme })));
    pad(space.heat, panels.heat.length);
    const b = live.board;
    lines.push(title('callers', ` · ${b.callers} callers, ${b.calls} calls${f}`));
    if (space.titles) lines.push(theme.chalk.gray(callerTitle(width)));
    panels.callers.forEach((r, i) => lines.push(callerLine(r, { width, selected: focus === 'callers' && i === selectedIndex('callers'), theme })));
    pad(space.callers, panels.callers.length);
    lines.push(title('latest', f));
    if (space.titles) lines.push(theme.chalk.gray(latestTitle(width)));
    panels.latest.forEach((l, i) => lines.push(latestLine(l, { width, selected: focus === 'latest' && i === selectedIndex('latest') })));
    pad(space.latest, panels.latest.length);
  }

  // Overlays may be longer than the panels they cover: the frame never grows past the terminal.
  lines.length = Math.min(lines.length, rows - 2);
  const notice = props.notice?.();
  const footer =
    draft !== undefined
      ? `/ ${sanitize(draft)}▏  Enter applies, Esc clears`
      : flash !== undefined && flash.until > now()
        ? flash.text
        : notice !== undefined
          ? `! ${sanitize(notice)}`
          : 'q quit  p pause  / filter  Tab panel  ↑↓ select  c copy  o links  ? keys';
  lines.push(theme.chalk.inverse(fit(footer, width)));

  return (
    <Box flexDirection="column" width={width}>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}
