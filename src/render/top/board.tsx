import { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text, useInput, useStdin, useStdout } from 'ink';
import { frozenView, refilter, type SnapshotView, type TopSnapshot } from '../../stages/top-state.js';
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
 * every `refreshMs`, whatever the stream does; keys act on the rows of the snapshot on screen (and
 * redraw at once). Every line comes from rows.ts, exactly as wide as the terminal.
 */

/**
 * Twice a second (SPEC: at most 4 times): a board is read, not watched frame by frame (htop redraws
 * every 1.5 s), and each frame costs Ink a measure and a re-encoding of every character on screen,
 * most of top's CPU at 4 frames a second.
 */
export const REFRESH_MS = 500;

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

/** What the keys change. */
interface Ui {
  paused: boolean;
  /**
   * The panels as they were when `p` paused them, every row kept (frozenView()): a filter typed
   * while paused applies to them at once, as htop and k9s do.
   */
  frozen: TopSnapshot | undefined;
  filter: string;
  /** The filter being typed after `/`. */
  draft: string | undefined;
  focus: Panel;
  selected: Record<Panel, number>;
  overlay: 'help' | 'links' | undefined;
  flash: { text: string; until: number } | undefined;
}

const INITIAL_UI: Ui = {
  paused: false,
  frozen: undefined,
  filter: '',
  draft: undefined,
  focus: 'heat',
  selected: { heat: 0, callers: 0, latest: 0 },
  overlay: undefined,
  flash: undefined,
};
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

const TRAILING_BLANKS = / +((?:\x1b\[[0-9;]*m)*)$/;
const INVERSE = '\x1b[7m';

/**
 * A line without its trailing blanks: Ink measures and re-encodes every character of every line on
 * every frame, and a line is erased before it is written. An inverse line (the selection, the
 * footer) keeps them: they are its bar.
 */
function trimEnd(line: string): string {
  if (line === '') return ' ';
  if (line.includes(INVERSE)) return line;
  const trimmed = line.replace(TRAILING_BLANKS, '$1');
  return trimmed === '' ? ' ' : trimmed;
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
  const { state, theme, refreshMs = REFRESH_MS } = props;
  const now = props.now ?? Date.now;
  const terminal = useTerminalSize();
  // Without a terminal on stdin (top < /dev/null) there are no keys: Ctrl-C is then a signal.
  const { isRawModeSupported } = useStdin();
  const { columns, rows } = props.size ?? terminal;
  const [tick, setTick] = useState(0);
  // The keys' state in a ref, changed through update(): keys that arrive before React re-renders
  // (a filter typed fast, a paste) each see what the one before did, not a stale render's copy.
  const ui = useRef<Ui>(INITIAL_UI);
  const [, rerender] = useState(0);
  const update = (change: Partial<Ui>): void => {
    ui.current = { ...ui.current, ...change };
    rerender((n) => n + 1);
  };
  const { paused, frozen, filter, draft, focus, overlay, flash } = ui.current;

  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);

  // Built once: its clock holds an Intl formatter.
  const latestLine = useMemo(() => createLatestLine(theme, props.timeZone), [theme, props.timeZone]);
  const space = layout(rows);
  const view: SnapshotView = { heatRows: space.heat, callerRows: space.callers, latestRows: space.latest, filter };
  // A snapshot per tick (and when what it depends on changes), never per call.
  const live = useMemo(() => state.snapshot(now(), view), [tick, filter, space.heat, space.callers, space.latest]);
  const still = useMemo(
    () => (frozen === undefined ? undefined : refilter(frozen, view)),
    [frozen, filter, space.heat, space.callers, space.latest],
  );
  const panels = paused && still !== undefined ? still : live;
  const shown = useRef(panels);
  shown.current = panels;

  const rowCount = (p: Panel): number => {
    const on = shown.current;
    return p === 'heat' ? on.heat.length : p === 'callers' ? on.callers.length : on.latest.length;
  };
  const selectedIndex = (p: Panel): number => Math.min(ui.current.selected[p], Math.max(0, rowCount(p) - 1));
  const selectedToken = (): { address: string; symbol: string | null } | undefined => {
    const on = shown.current;
    const p = ui.current.focus;
    const i = selectedIndex(p);
    if (p === 'heat') {
      const r = on.heat[i];
      return r && { address: r.address, symbol: r.symbol };
    }
    if (p === 'latest') {
      const l = on.latest[i];
      return l && { address: l.call.tokenAddress, symbol: l.call.tokenSymbol ?? null };
    }
    const best = on.callers[i]?.best;
    return best ? { address: best.tokenAddress, symbol: best.tokenSymbol } : undefined;
  };
  const say = (text: string): void => update({ flash: { text, until: now() + 3000 } });

  useInput(
    (input, key) => {
      const u = ui.current;
      if (key.ctrl && input === 'c') return props.onQuit('ctrl-c');
      if (u.draft !== undefined) {
        if (key.return) update({ filter: u.draft, draft: undefined });
        else if (key.escape) update({ filter: '', draft: undefined });
        else if (key.backspace || key.delete) update({ draft: u.draft.slice(0, -1) });
        else if (input !== '' && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow) update({ draft: u.draft + input });
        return;
      }
      if (u.overlay === 'help') {
        if (input === 'q') return props.onQuit('q');
        return update({ overlay: undefined });
      }
      if (input === 'q') return props.onQuit('q');
      if (u.overlay === 'links' && (key.escape || input === 'o')) return update({ overlay: undefined });
      if (input === '?') return update({ overlay: 'help' });
      if (input === 'p') return update({ paused: !u.paused, frozen: u.paused ? undefined : state.snapshot(now(), frozenView()) });
      if (input === '/') return update({ draft: u.filter });
      if (key.escape) return update({ filter: '' });
      if (key.tab) {
        const i = PANELS.indexOf(u.focus);
        return update({ focus: PANELS[(i + (key.shift ? PANELS.length - 1 : 1)) % PANELS.length]! });
      }
      if (key.upArrow || key.downArrow) {
        const i = selectedIndex(u.focus) + (key.upArrow ? -1 : 1);
        return update({ selected: { ...u.selected, [u.focus]: Math.max(0, Math.min(rowCount(u.focus) - 1, i)) } });
      }
      if (input === 'c') {
        const token = selectedToken();
        if (token === undefined) return say('nothing selected');
        props.writeTerminal(clipboardSequence(token.address));
        return say(`copied ${sanitize(token.address)}`);
      }
      if (input === 'o') {
        if (selectedToken() === undefined) return say('nothing selected');
        update({ overlay: 'links' });
      }
    },
    { isActive: isRawModeSupported },
  );

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
          {trimEnd(line)}
        </Text>
      ))}
    </Box>
  );
}
