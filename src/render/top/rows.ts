import type { ChalkInstance } from 'chalk';
import type { CallerRow } from '../../stages/caller-board.js';
import type { HeatRow } from '../../stages/heat.js';
import type { LatestCall, LinkState, TopSnapshot } from '../../stages/top-state.js';
import { createClock } from '../clock.js';
import { callText, callTime, createPlatformStyle, field, formatMultiple, MISSING } from '../fields.js';
import { formatUsdCompact } from '../money.js';
import { sanitize } from '../sanitize.js';
import { displayWidth, fit } from '../width.js';

/**
 * The board's text, apart from Ink: each panel row as one string exactly `width` cells wide (feed
 * text sanitized, numbers right-aligned, colours from the chalk the run chose), so the drawing is
 * layout only and every line can be checked in a plain unit test. Narrow terminals drop the
 * optional columns first (platforms, names, prices), never the numbers.
 */

export interface Theme {
  chalk: ChalkInstance;
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** Calls a minute as sparkline cells, the latest minute last; `width` cells at most. */
export function sparkline(minutes: readonly number[], width: number): string {
  const shown = minutes.slice(Math.max(0, minutes.length - width));
  const max = Math.max(0, ...shown);
  if (max === 0) return shown.map(() => ' ').join('');
  return shown.map((n) => (n <= 0 ? ' ' : SPARKS[Math.min(SPARKS.length - 1, Math.floor((n / max) * (SPARKS.length - 1) + 0.5))]!)).join('');
}

/** `12s`, `3m12s`, `1h05m`, `2d3h`: how long ago, compact. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

export function linkText(link: LinkState, now: number): string {
  switch (link.state) {
    case 'connecting':
      return 'connecting';
    case 'connected':
      return 'connected';
    case 'ended':
      return 'ended';
    case 'reconnecting':
      return `reconnecting in ${Math.max(0, Math.ceil((link.retryAt - now) / 1000))}s (${sanitize(link.reason)})`;
  }
}

/** The three header lines: source and link, rate and sparkline, counters. */
export function headerLines(s: TopSnapshot, o: { source: string; paused: boolean; width: number; theme: Theme }): string[] {
  const { chalk } = o.theme;
  const link = linkText(s.link, s.now);
  const linkStyle = s.link.state === 'connected' ? chalk.green : s.link.state === 'reconnecting' ? chalk.yellow : chalk.gray;
  const paused = o.paused ? `  ${chalk.black.bgYellow(' paused ')}` : '';
  // The source last: a long URL is what gets cut on a narrow terminal, not the link state.
  const first = `${chalk.bold('rexi-live top')}${paused}  ${linkStyle(`● ${link}`)}  up ${formatAge(s.upMs)}  ${sanitize(o.source)}`;
  const rate = `${String(s.perMinute).padStart(6)} calls/min  `;
  const spark = sparkline(s.minutes, Math.max(0, Math.min(60, o.width - rate.length - 6)));
  const second = `${rate}${chalk.cyan(spark)}${spark.length > 0 ? ' 1h' : ''}`;
  const c = s.counts;
  const third = `received ${c.received}  output ${c.output}  filtered ${c.filtered}  skipped ${c.skipped}  reconnects ${c.reconnects}`;
  return [first, second, third].map((l) => cut(l, o.width));
}

/** Cuts a line (with colours) to `width` cells: Ink would wrap it otherwise. */
function cut(line: string, width: number): string {
  return visibleWidth(line) <= width ? line : fit(stripAnsi(line), width);
}

// Only our own chalk's SGR sequences can be in a line here: feed text was sanitized before.
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;
function stripAnsi(s: string): string {
  return s.replace(SGR, '');
}
function visibleWidth(s: string): number {
  return displayWidth(stripAnsi(s));
}

/** Selection and highlight marks: two cells, readable without colour. */
function marks(selected: boolean, hot: boolean): string {
  return (selected ? '›' : ' ') + (hot ? '*' : ' ');
}

/** The columns a panel shows at a width: the optional ones only when there is room. */
const HEAT = { symbol: 10, callers: 3, mcap: 8, multiple: 6, age: 6, platforms: 18 } as const;

export function heatTitle(width: number): string {
  const wide = width >= 100;
  const line =
    '  ' +
    fit('TOKEN', HEAT.symbol) +
    ' ' +
    fit('#', HEAT.callers, true) +
    ' ' +
    fit('FIRST', HEAT.mcap, true) +
    '   ' +
    fit('LATEST', HEAT.mcap, true) +
    ' ' +
    fit('MOVE', HEAT.multiple, true) +
    ' ' +
    fit('AGE', HEAT.age, true) +
    ' ' +
    (wide ? fit('PLATFORMS', HEAT.platforms) + ' ' : '');
  return line + fit('CALLERS', Math.max(1, width - displayWidth(line)));
}

/** `›* BONK         5  $120.0K → $510.0K   ×4.3  3m12s telegram,discord  Alice, Bob, Carol` */
export function heatLine(r: HeatRow, o: { width: number; now: number; selected: boolean; theme: Theme }): string {
  const { chalk } = o.theme;
  const wide = o.width >= 100;
  const first = r.firstMcap === null ? MISSING : formatUsdCompact(r.firstMcap);
  const latest = r.latestMcap === null ? MISSING : formatUsdCompact(r.latestMcap);
  const move = r.multiple === null ? 0 : r.multiple > 1 ? 1 : r.multiple < 1 ? -1 : 0;
  const moveStyle = move > 0 ? chalk.green : move < 0 ? chalk.red : (s: string) => s;
  const multiple = r.multiple === null ? MISSING : `×${formatMultiple(r.multiple)}`;
  const head =
    marks(o.selected, r.hot) +
    chalk.bold(fit(field(r.symbol), HEAT.symbol)) +
    ' ' +
    fit(String(r.callers), HEAT.callers, true) +
    ' ' +
    fit(first, HEAT.mcap, true) +
    ' → ' +
    moveStyle(fit(latest, HEAT.mcap, true)) +
    ' ' +
    moveStyle(fit(multiple, HEAT.multiple, true)) +
    ' ' +
    fit(formatAge(o.now - r.firstAt), HEAT.age, true) +
    ' ' +
    (wide ? fit(r.platforms.map(sanitize).join(',') || MISSING, HEAT.platforms) + ' ' : '');
  const rest = Math.max(1, o.width - visibleWidth(head));
  const names = fit(r.callerNames.map((n) => sanitize(n)).join(', ') || MISSING, rest);
  return style(head + names, o.selected, r.hot, o.theme);
}

/** Hot rows stand out (bold yellow, and the `*`); the selected row is inverse. */
function style(line: string, selected: boolean, hot: boolean, theme: Theme): string {
  let out = line;
  if (hot) out = theme.chalk.yellow(out);
  if (selected) out = theme.chalk.inverse(out);
  return out;
}

const CALLER = { rank: 3, name: 18, platform: 9, calls: 5, first: 5, rate: 5, score: 5, median: 6, lead: 5 } as const;

/** The caller columns at a width: platform from 80 cells, first calls and median lead from 100. */
function callerColumns(width: number): { platform: boolean; more: boolean } {
  return { platform: width >= 80, more: width >= 100 };
}

/** A median lead: `45s`, `12m`, `3.5h`. */
export function formatLead(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return MISSING;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

export function callerTitle(width: number): string {
  const cols = callerColumns(width);
  const line =
    '  ' +
    fit('#', CALLER.rank, true) +
    ' ' +
    fit('CALLER', CALLER.name) +
    ' ' +
    (cols.platform ? fit('PLATFORM', CALLER.platform) + ' ' : '') +
    fit('CALLS', CALLER.calls, true) +
    ' ' +
    (cols.more ? fit('FIRST', CALLER.first, true) + ' ' : '') +
    fit('HIT', CALLER.rate, true) +
    ' ' +
    fit('SCORE', CALLER.score, true) +
    ' ' +
    fit('MED', CALLER.median, true) +
    ' ' +
    (cols.more ? fit('LEAD', CALLER.lead, true) + ' ' : '');
  return line + fit('BEST', Math.max(1, width - displayWidth(line)));
}

/** `›   1 Alpha Vault        telegram     12     5   38%  0.29   1.6×   12m PEPE 41.2×` */
export function callerLine(r: CallerRow, o: { width: number; selected: boolean; theme: Theme }): string {
  const { chalk } = o.theme;
  const cols = callerColumns(o.width);
  const c = r.caller;
  const median = r.medianMultiple === null ? MISSING : `${formatMultiple(r.medianMultiple)}×`;
  const medianStyle = r.medianMultiple === null ? (s: string) => s : r.medianMultiple > 1 ? chalk.green : r.medianMultiple < 1 ? chalk.red : (s: string) => s;
  const head =
    marks(o.selected, false) +
    fit(String(r.rank), CALLER.rank, true) +
    ' ' +
    chalk.bold(fit(field(c.name ?? c.id), CALLER.name)) +
    ' ' +
    (cols.platform ? fit(field(c.platform), CALLER.platform) + ' ' : '') +
    fit(String(r.calls), CALLER.calls, true) +
    ' ' +
    (cols.more ? fit(String(r.firstCalls), CALLER.first, true) + ' ' : '') +
    fit(`${Math.round(r.hitRate * 100)}%`, CALLER.rate, true) +
    ' ' +
    fit(r.score.toFixed(2), CALLER.score, true) +
    ' ' +
    medianStyle(fit(median, CALLER.median, true)) +
    ' ' +
    (cols.more ? fit(formatLead(r.medianLeadS), CALLER.lead, true) + ' ' : '');
  const best = r.best === null ? MISSING : `${field(r.best.tokenSymbol)} ${formatMultiple(r.best.multiple)}×`;
  const line = head + fit(best, Math.max(1, o.width - visibleWidth(head)));
  return o.selected ? chalk.inverse(line) : line;
}

const LATEST = { symbol: 10, name: 24, mcap: 8, price: 10, caller: 16, platform: 8 } as const;

export function latestTitle(width: number): string {
  const cols = latestColumns(width);
  const line =
    '  ' +
    fit('TIME', 8) +
    ' ' +
    fit('TOKEN', LATEST.symbol) +
    ' ' +
    (cols.name ? fit('NAME', LATEST.name) + ' ' : '') +
    fit('MCAP', LATEST.mcap, true) +
    ' ' +
    (cols.price ? fit('PRICE', LATEST.price, true) + ' ' : '') +
    fit('CALLER', LATEST.caller) +
    ' ' +
    (cols.platform ? fit('PLATFORM', LATEST.platform) + ' ' : '');
  return line + fit('ADDRESS', Math.max(1, width - displayWidth(line)));
}

function latestColumns(width: number): { name: boolean; price: boolean; platform: boolean } {
  return { name: width >= 137, price: width >= 112, platform: width >= 101 };
}

/**
 * A latest call as `lines` prints it (time, symbol, name, market cap, price, caller, platform, the
 * address last), its market cap green when it moved up from the token's call before, red down.
 */
export function createLatestLine(theme: Theme, timeZone?: string): (l: LatestCall, o: { width: number; selected: boolean }) => string {
  const { chalk } = theme;
  const clock = createClock(timeZone);
  const platformStyle = createPlatformStyle(chalk);
  return (l, o) => {
    const f = callText(l.call);
    const cols = latestColumns(o.width);
    const pStyle = platformStyle(f.platform);
    const mcapStyle = l.move > 0 ? chalk.green : l.move < 0 ? chalk.red : (s: string) => s;
    const head =
      marks(o.selected, false) +
      chalk.gray(clock(callTime(l.call))) +
      ' ' +
      chalk.bold(fit(f.symbol, LATEST.symbol)) +
      ' ' +
      (cols.name ? fit(f.name, LATEST.name) + ' ' : '') +
      mcapStyle(fit(f.mcap, LATEST.mcap, true)) +
      ' ' +
      (cols.price ? fit(f.price, LATEST.price, true) + ' ' : '') +
      pStyle(fit(f.caller, LATEST.caller)) +
      ' ' +
      (cols.platform ? pStyle(fit(f.platform, LATEST.platform)) + ' ' : '');
    const line = head + fit(f.address, Math.max(1, o.width - visibleWidth(head)));
    return o.selected ? chalk.inverse(line) : line;
  };
}

/** OSC 8: `text` as a hyperlink to `url` (a URL we built: printable ASCII only). */
export function hyperlink(url: string, text: string): string {
  return `\x1b]8;;${url}\x07${text}\x1b]8;;\x07`;
}

/** The token's pages on DexScreener, Birdeye and Solscan. */
export function tokenLinks(address: string): Array<{ name: string; url: string }> {
  const a = encodeURIComponent(address);
  return [
    { name: 'DexScreener', url: `https://dexscreener.com/solana/${a}` },
    { name: 'Birdeye', url: `https://birdeye.so/token/${a}?chain=solana` },
    { name: 'Solscan', url: `https://solscan.io/token/${a}` },
  ];
}

/** OSC 52: asks the terminal to put `text` on the clipboard. */
export function clipboardSequence(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
}
