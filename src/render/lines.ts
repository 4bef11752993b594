import type { ChalkInstance } from 'chalk';
import type { Message } from '../wire/message.js';
import { createClock } from './clock.js';
import { callText, callTime, compactRaw, createPlatformStyle, messageType, signalText } from './fields.js';
import type { Render } from './renderer.js';
import { fit } from './width.js';

/**
 * The `lines` format: one coloured line per call, columns at fixed widths so a scrolling terminal
 * reads like a table, the full token address last so it can be copied.
 *
 *   17:20:00 BONK       Bonk Inu                  $512.3K   $0.0₄512 Alice            telegram 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU
 *   17:24:10  MULTI-CALL 3 callers/10m  BONK $1.2M ×2.4 Alice, Bob, Carol 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU
 *
 */

/** Content widths of the padded columns, in terminal cells. */
const WIDTH = { symbol: 10, name: 24, mcap: 8, price: 10, caller: 16, platform: 8 } as const;

export function createLinesRenderer(options: { chalk: ChalkInstance; timeZone?: string }): Render {
  const { chalk } = options;
  const clock = createClock(options.timeZone);
  const platformStyle = createPlatformStyle(chalk);
  const timeStyle = chalk.gray;
  const symbolStyle = chalk.bold;
  const mcapStyle = chalk.green;
  const typeStyle = chalk.yellow;
  // A signal stands out from the calls around it, and still reads without colour.
  const signalStyle = chalk.bold.black.bgYellow;

  return (message: Message): string => {
    if (message.kind === 'signal') {
      const f = signalText(message.value);
      return (
        `${timeStyle(clock(message.receivedAt))} ${signalStyle(` MULTI-CALL ${f.count} `)} ` +
        `${symbolStyle(f.symbol)} ${mcapStyle(f.mcap)} ${f.callers} ${f.address}\n`
      );
    }
    if (message.kind !== 'call') {
      return `${timeStyle(clock(message.receivedAt))} ${typeStyle(messageType(message))} ${compactRaw(message.raw)}\n`;
    }
    const call = message;
    const f = callText(call);
    const style = platformStyle(f.platform);
    return (
      `${timeStyle(clock(callTime(call)))} ` +
      `${symbolStyle(fit(f.symbol, WIDTH.symbol))} ` +
      `${fit(f.name, WIDTH.name)} ` +
      `${mcapStyle(fit(f.mcap, WIDTH.mcap, true))} ` +
      `${fit(f.price, WIDTH.price, true)} ` +
      `${style(fit(f.caller, WIDTH.caller))} ` +
      `${style(fit(f.platform, WIDTH.platform))} ` +
      `${f.address}\n`
    );
  };
}
