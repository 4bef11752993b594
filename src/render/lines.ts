import type { ChalkInstance } from 'chalk';
import type { Call } from '../wire/calls.js';
import type { Message } from '../wire/message.js';
import { createClock } from './clock.js';
import { createCallRow, createCallRowBytes, RowWriter, type CellSpec, type CellStyles } from './call-row.js';
import { compactRaw, createMultipleStyle, createPlatformStyle, messageType, signalText, type CallText, type Style } from './fields.js';
import type { Render } from './renderer.js';
import { displayWidth, fit } from './width.js';

/**
 * The `lines` format: one coloured line per call, columns at fixed widths so a scrolling terminal
 * reads like a table, the full token address last so it can be copied.
 *
 *   17:20:00 BONK       Bonk Inu                  $512.3K   $0.0₄512 Alice            telegram 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU
 *   17:24:10  MULTI-CALL 3 callers/10m  BONK $1.2M ×2.4 Alice, Bob, Carol 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU
 *
 * On a terminal narrower than that, each call still takes one row: columns are dropped (price,
 * then platform, then name, then time, caller, mcap) and name and caller cut with `…` as the
 * table does, the symbol keeping its width first and the address never cut. The width is read
 * for every line, so a resized terminal gets the new layout from the next line on. Into a pipe
 * or a file (no width) every line is whole.
 */

type Key = 'time' | Exclude<keyof CallText, 'address'>;

interface Column {
  key: Key;
  /** Fewest cells it is shown in; below that it is dropped. */
  min: number;
  /** Its width in the full line. */
  ideal: number;
  right: boolean;
}

/** In display order, the address (after them) excluded. */
const COLUMNS: readonly Column[] = [
  { key: 'time', min: 8, ideal: 8, right: false },
  { key: 'symbol', min: 10, ideal: 10, right: false },
  { key: 'name', min: 8, ideal: 24, right: false },
  { key: 'mcap', min: 7, ideal: 8, right: true },
  { key: 'price', min: 10, ideal: 10, right: true },
  { key: 'caller', min: 6, ideal: 16, right: false },
  { key: 'platform', min: 8, ideal: 8, right: false },
];
const DROP_ORDER: readonly Key[] = ['price', 'platform', 'name', 'time', 'caller', 'mcap', 'symbol'];
/** Spare cells go to these, in this order, up to a width (their full width when not given). */
const GROW_ORDER: ReadonlyArray<readonly [Key, number?]> = [['symbol'], ['mcap'], ['caller', 8], ['name'], ['caller']];
/** A Solana address's longest: the address column always has room for it. */
const ADDRESS_CELLS = 44;

/** The address, last: whole, never padded. */
const ADDRESS: CellSpec = { key: 'address', width: 0, right: false };

export interface LinesRendererOptions {
  chalk: ChalkInstance;
  timeZone?: string;
  /**
   * The terminal's width now, read for every line; undefined (or no function) when stdout is not a
   * terminal: lines are then whole, whatever their length.
   */
  columns?: () => number | undefined;
}

export function createLinesRenderer(options: LinesRendererOptions): Render {
  const { other, cellStyles, widthNow } = linesParts(options);
  // The row for the last width seen; into a pipe (no width) every line takes the full one.
  let fitted = { width: -1, row: (_call: Call): string => '' };
  return (message: Message): string => {
    const width = widthNow();
    if (message.kind !== 'call') return other(message, width);
    if (width !== fitted.width) fitted = { width, row: createCallRow([...layout(width), ADDRESS], ' ', cellStyles) };
    return fitted.row(message) + '\n';
  };
}

/** Per line, a few bytes more than the full row at its widths: a batch's first guess at its size. */
const LINE_BYTES = 160;

/**
 * The `lines` format for a batch at once, as bytes: what createLinesRenderer prints for each
 * message, the calls' rows written into one buffer from their cells' bytes (see
 * createCallRowBytes), with no string per row.
 */
export function createLinesBatchRenderer(options: LinesRendererOptions): (batch: readonly Message[]) => Buffer {
  const { other, cellStyles, widthNow } = linesParts(options);
  let fitted = { width: -1, row: (_call: Call, _out: RowWriter): void => undefined };
  return (batch) => {
    // A buffer per batch: the last one may still be on its way to the output.
    const out = new RowWriter(batch.length * LINE_BYTES);
    for (let i = 0; i < batch.length; i++) {
      const message = batch[i]!;
      const width = widthNow();
      if (message.kind !== 'call') {
        out.text(other(message, width));
        continue;
      }
      if (width !== fitted.width) fitted = { width, row: createCallRowBytes([...layout(width), ADDRESS], ' ', cellStyles) };
      fitted.row(message, out);
      out.room(1);
      out.buf[out.pos++] = 0x0a;
    }
    return out.buf.subarray(0, out.pos);
  };
}

/** What both forms of the format share: the line of anything but a call, the cells' styles, the width. */
function linesParts(options: LinesRendererOptions): {
  other: (message: Exclude<Message, Call>, width: number) => string;
  cellStyles: CellStyles;
  widthNow: () => number;
} {
  const { chalk, columns } = options;
  const clock = createClock(options.timeZone);
  const platformStyle = createPlatformStyle(chalk);
  const multipleStyle = createMultipleStyle(chalk);
  // Without colour a style is the text itself: no call into chalk per column.
  const colour = chalk.level > 0;
  const timeStyle: Style = colour ? chalk.gray : plain;
  const symbolStyle: Style = colour ? chalk.bold : plain;
  const typeStyle = chalk.yellow;
  // A signal stands out from the calls around it, and still reads without colour.
  const signalStyle = chalk.bold.black.bgYellow;
  const cellStyles: CellStyles = { timeZone: options.timeZone, time: timeStyle, symbol: symbolStyle, platform: platformStyle };

  const widthNow =
    columns === undefined
      ? (): number => Infinity
      : (): number => {
          const w = columns();
          return w !== undefined && w > 0 ? Math.floor(w) : Infinity;
        };

  const other = (message: Exclude<Message, Call>, width: number): string => {
    if (message.kind === 'signal') {
      const f = signalText(message.value);
      const time = clock(message.receivedAt);
      const badge = ` MULTI-CALL ${f.count} `;
      const multiple = f.multiple === '' ? '' : ` ${f.multiple}`;
      // Everything but the callers' names is kept; the names get what is left of the row.
      const room = width === Infinity ? Infinity : width - displayWidth(`${time} ${badge} ${f.symbol} ${f.mcap}${multiple}  ${f.address}`);
      const callers = room === Infinity || room >= displayWidth(f.callers) ? ` ${f.callers}` : room >= 6 ? ` ${fit(f.callers, room)}` : '';
      return (
        `${timeStyle(time)} ${signalStyle(badge)} ${symbolStyle(f.symbol)} ${f.mcap}` +
        `${multiple === '' ? '' : ` ${multipleStyle(f.down)(f.multiple)}`}${callers} ${f.address}\n`
      );
    }
    const time = clock(message.receivedAt);
    const type = messageType(message);
    const raw = compactRaw(message.raw);
    // Only the JSON text is cut, so the row still says when and what.
    const room = width === Infinity ? Infinity : width - displayWidth(`${time} ${type} `);
    const text = room === Infinity || displayWidth(raw) <= room ? raw : fit(raw, Math.max(1, room));
    return `${timeStyle(time)} ${typeStyle(type)} ${text}\n`;
  };
  return { other, cellStyles, widthNow };
}

const plain: Style = (s) => s;

/** The columns shown at `width` cells and their widths; every column at full width for Infinity. */
function layout(width: number): CellSpec[] {
  const visible = COLUMNS.slice();
  const cellsAtMin = (): number => visible.reduce((sum, c) => sum + c.min + 1, ADDRESS_CELLS);
  for (const key of DROP_ORDER) {
    if (cellsAtMin() <= width) break;
    visible.splice(visible.findIndex((c) => c.key === key), 1);
  }
  const widths = new Map<Key, number>(visible.map((c) => [c.key, c.min]));
  let spare = width - cellsAtMin();
  for (const [key, upTo] of GROW_ORDER) {
    const column = visible.find((c) => c.key === key);
    if (column === undefined || spare <= 0) continue;
    const grow = Math.max(0, Math.min(spare, (upTo ?? column.ideal) - widths.get(key)!));
    widths.set(key, widths.get(key)! + grow);
    spare -= grow;
  }
  return visible.map((c) => ({ key: c.key, width: widths.get(c.key)!, right: c.right }));
}
