import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { Message, MultiCallWire, SignalMessage } from '../wire/message.js';
import type { Call } from '../wire/calls.js';
import { createChalk } from './color.js';
import { createClock } from './clock.js';
import { createCallRow, type CellKey, type CellSpec, type CellStyles } from './call-row.js';
import { compactRaw, createMultipleStyle, createPlatformStyle, messageType, MISSING, signalText, type Style } from './fields.js';
import { sanitize } from './sanitize.js';
import { displayWidth, fit } from './width.js';
import type { Render } from './renderer.js';

/**
 * The `table` format: a cli-table3 table that streams. The header (top border, column names,
 * separator) is drawn by cli-table3 whenever the terminal width changes, with columns fitted to
 * that width; each call then adds one row and earlier rows are never redrawn.
 *
 * Rows are laid out here with cli-table3's geometry (its default box characters and one space of
 * padding on either side of a cell) rather than by cli-table3 itself: it measures every cell with
 * string-width, which rebuilds its emoji regex on each call, about 350µs a row. The tests check that
 * a row drawn here is the row cli-table3 draws.
 *
 * Fitting to the width, narrowest first:
 *   - every column at its minimum, then spare cells go to symbol, name and caller (up to their
 *     usual widths), then to name and caller (up to their maximums);
 *   - too wide even at the minimums: drop price, then platform, time, name, caller, mcap, symbol;
 *   - the address column is never cut (44 cells, a Solana address's longest): when even the
 *     address alone in a box (48 cells) is too wide, the table drops its borders and prints the
 *     bare address under an `ADDRESS` header, which is then the only thing wider than the terminal.
 * At 80 columns that leaves symbol, mcap, caller and address; at 160 every column.
 */

export interface TableRendererOptions {
  chalk: ChalkInstance;
  color: boolean;
  /** The terminal's width now; 80 when it returns undefined, 0 or NaN (not a terminal). */
  columns: () => number;
  timeZone?: string;
}

type Key = CellKey;

interface Column {
  key: Key;
  head: string;
  min: number;
  ideal: number;
  max: number;
  right: boolean;
}

const col = (key: Key, head: string, min: number, ideal: number, max = ideal, right = false): Column => ({
  key,
  head,
  min,
  ideal,
  max,
  right,
});

/** All columns in display order; widths are content cells, padding and borders excluded. */
const COLUMNS: readonly Column[] = [
  col('time', 'TIME', 8, 8),
  // The symbol is what a trader scans for: it keeps its full width; at 80 columns the market cap
  // gives up its padding cell and the caller is cut to 6 cells for it.
  col('symbol', 'SYMBOL', 10, 10),
  col('name', 'NAME', 8, 24, 32),
  col('mcap', 'MCAP', 7, 8, 8, true),
  col('price', 'PRICE', 10, 10, 10, true),
  col('caller', 'CALLER', 6, 16, 24),
  col('platform', 'PLATFORM', 8, 8),
  col('address', 'ADDRESS', 44, 44),
];
const DROP_ORDER: readonly Key[] = ['price', 'platform', 'time', 'name', 'caller', 'mcap', 'symbol'];
/** Spare cells go to these, in order, up to a width: a column's usual or widest, or a number. */
const GROW_ORDER: ReadonlyArray<readonly [Key, 'ideal' | 'max' | number]> = [
  ['symbol', 'ideal'],
  ['mcap', 'ideal'],
  // A caller cut to 6 cells is there only for 80 columns: 8 before the name grows.
  ['caller', 8],
  ['name', 'ideal'],
  ['caller', 'ideal'],
  ['name', 'max'],
  ['caller', 'max'],
];

export const DEFAULT_COLUMNS = 80;

/** Box characters of cli-table3's default style, as rows are joined from them here. */
const LEFT = '│ ';
const MIDDLE = ' │ ';
const RIGHT = ' │';
/** The header's bottom border drawn as the separator under the column names. */
const HEADER_CHARS = { bottom: '─', 'bottom-left': '├', 'bottom-mid': '┼', 'bottom-right': '┤' };

interface Layout {
  width: number;
  /** Undefined for the borderless address-only layout of very narrow terminals. */
  cells: CellSpec[] | undefined;
  header: string;
  /** Content cells a non-call message's text spans (everything right of the time column). */
  spanWidth: number;
  hasTime: boolean;
}

export function createTableRenderer(options: TableRendererOptions): Render {
  // cli-table3 colours through @colors/colors, which decides by itself whether to; with its styles
  // always empty, every escape in the output comes from this chalk.
  const chalk = options.color ? options.chalk : createChalk(0);
  const { columns } = options;
  const clock = createClock(options.timeZone);
  const platformStyle = createPlatformStyle(chalk);
  // Market caps are neutral: green would say "up", which a market cap alone does not.
  // Without colour a style is the text itself: no call into chalk per cell.
  const timeStyle: Style = chalk.level > 0 ? chalk.gray : plain;
  const cellStyles: CellStyles = { timeZone: options.timeZone, time: timeStyle, symbol: chalk.level > 0 ? chalk.bold : plain, platform: platformStyle };
  const multipleStyle = createMultipleStyle(chalk);
  const headStyle: Style = chalk.bold;
  const typeStyle: Style = chalk.yellow;
  const signalStyle: Style = chalk.bold.black.bgYellow;
  let layout: Layout | undefined;
  /** A call's row inside the borders, for the layout; undefined for the borderless one. */
  let row: ((call: Call) => string) | undefined;

  return (message: Message): string => {
    const reported = columns();
    const width = reported > 0 ? Math.floor(reported) : DEFAULT_COLUMNS;
    let header = '';
    if (layout === undefined || layout.width !== width) {
      layout = planLayout(width, headStyle);
      header = layout.header;
      row = layout.cells === undefined ? undefined : createCallRow(layout.cells, MIDDLE, cellStyles);
    }
    const cells = layout.cells;

    if (message.kind !== 'call') {
      const text = message.kind === 'signal' ? (w: number) => signalRow(message.value, w, signalStyle, multipleStyle) : (w: number) => otherText(message, w, typeStyle);
      if (cells === undefined) return `${header}${text(width)}\n`;
      const time = layout.hasTime ? `${timeStyle(clock(message.receivedAt))}${MIDDLE}` : '';
      return `${header}${LEFT}${time}${text(layout.spanWidth)}${RIGHT}\n`;
    }

    if (row === undefined) {
      const address = message.tokenAddress;
      return `${header}${address === '' ? MISSING : sanitize(address)}\n`;
    }
    return `${header}${LEFT}${row(message)}${RIGHT}\n`;
  };
}

const plain: Style = (s) => s;

/**
 * A signal spans the row, highlighted whole: callers and window, symbol, market cap and multiple,
 * the callers' names; the address last and never cut, so it can be copied.
 */
function signalRow(signal: MultiCallWire, width: number, style: Style, multipleStyle: (down: boolean) => Style): string {
  const f = signalText(signal);
  const mcap = f.multiple === '' ? f.mcap : `${f.mcap} ${f.multiple}`;
  const head = fit(`MULTI-CALL ${f.count} ${f.symbol} ${mcap} ${f.callers}`, Math.max(0, width - f.address.length - 1));
  const line = `${head} ${f.address}`;
  const row = displayWidth(line) > width ? line : fit(line, width);
  // Fitted as plain text, then the multiple coloured by its direction where it survived the cut.
  const shown = f.multiple === '' ? -1 : row.indexOf(` ${f.multiple} `);
  if (shown < 0) return style(row);
  const end = shown + f.multiple.length + 1;
  return style(`${row.slice(0, shown + 1)}${multipleStyle(f.down)(f.multiple)}${row.slice(end)}`);
}

/** A message that is not a call (--all-types): its type and its text, cut to `width`. */
function otherText(message: Exclude<Message, Call | SignalMessage>, width: number, typeStyle: Style): string {
  const type = messageType(message);
  const fitted = fit(`${type} ${compactRaw(message.raw)}`, width);
  // The type is coloured after fitting, so fitting measures plain text; a cut type stays plain.
  return fitted.startsWith(`${type} `) ? typeStyle(type) + fitted.slice(type.length) : fitted;
}

function planLayout(width: number, headStyle: Style): Layout {
  const visible = COLUMNS.slice();
  for (const key of DROP_ORDER) {
    if (boxWidth(visible) <= width) break;
    visible.splice(visible.findIndex((c) => c.key === key), 1);
  }
  if (boxWidth(visible) > width) {
    return { width, cells: undefined, header: `${headStyle('ADDRESS')}\n`, spanWidth: width, hasTime: false };
  }

  const widths = new Map<Key, number>(visible.map((c) => [c.key, c.min]));
  let spare = width - boxWidth(visible);
  for (const [key, limit] of GROW_ORDER) {
    const column = visible.find((c) => c.key === key);
    if (column === undefined || spare === 0) continue;
    const grow = Math.min(spare, (typeof limit === 'number' ? limit : column[limit]) - widths.get(key)!);
    if (grow > 0) {
      widths.set(key, widths.get(key)! + grow);
      spare -= grow;
    }
  }

  const cells = visible.map((c) => ({ key: c.key, width: widths.get(c.key)!, right: c.right }));
  const header = new Table({
    head: visible.map((c) => headStyle(c.head)),
    colWidths: cells.map((c) => c.width + 2),
    colAligns: cells.map((c) => (c.right ? 'right' : 'left')),
    chars: HEADER_CHARS,
    style: { head: [], border: [] },
  }).toString();
  const hasTime = cells[0]!.key === 'time';
  const spanned = hasTime ? cells.slice(1) : cells;
  const spanWidth = spanned.reduce((sum, c) => sum + c.width, 0) + MIDDLE.length * (spanned.length - 1);
  return { width, cells, header: `${header}\n`, spanWidth, hasTime };
}

/** Cells a boxed row of these columns takes at their minimum widths: `│ a │ b │`. */
function boxWidth(columns: readonly Column[]): number {
  let total = 1;
  for (const c of columns) total += c.min + 3;
  return total;
}
