import { classifyFrame, type Call, type OtherMessage } from '../../src/wire/calls.js';

/** When the fixtures arrived: 2024-01-01 09:08:07 UTC. */
export const RECEIVED = Date.UTC(2024, 0, 1, 9, 8, 7);

/** A frame as the feed would send it, classified as the reader does (--all-types on). */
export function frame(value: unknown, receivedAt = RECEIVED): Call | OtherMessage {
  const m = classifyFrame(JSON.stringify(value), receivedAt, true);
  if (typeof m === 'string') throw new Error(`fixture was skipped: ${m}`);
  return m;
}

/** 2024-08-04 17:20:00 UTC. */
export const T0 = 1722792000;

/** The data of a plain call, every field the renderers print. */
export const BONK_DATA = {
  token_address: '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU',
  token_name: 'Bonk Inu',
  token_symbol: 'BONK',
  timestamp: T0,
  caller: { id: 'c-1', name: 'Alice', platform: 'telegram' },
  price_data: { current_price: 0.0000512, market_cap: 512_300 },
};

export const bonk = frame({ type: 'NEW_SCAN', data: BONK_DATA });

export const longNames = frame({
  type: 'NEW_SCAN',
  data: {
    token_address: 'So11111111111111111111111111111111111111112',
    token_name: 'Super Extremely Long Token Name That Never Ends',
    token_symbol: 'VERYLONGSYMBOL',
    timestamp: T0 + 65,
    caller: { id: 42, name: 'The Most Verbose Caller Name', platform: 'Discord' },
    price_data: { current_price: '1.2345', market_cap: '1500000' },
  },
});

export const sparse = frame({
  type: 'NEW_SCAN',
  data: {
    token_address: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
    token_symbol: { nested: true },
    timestamp: 'soon',
    caller: null,
    price_data: 7,
  },
});

export const emoji = frame({
  type: 'NEW_SCAN',
  data: {
    token_address: 'DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263',
    token_name: '🚀 Moon Frog 🐸 to the moon and beyond',
    token_symbol: '🐸FROG',
    timestamp: T0 + 3600,
    caller: { id: 7, name: '猫のコーラー', platform: 'twitter' },
    price_data: { current_price: 12.345, market_cap: 3.4e9 },
  },
});

export const heartbeat = frame({ type: 'HEARTBEAT', data: { seq: 1 } });
