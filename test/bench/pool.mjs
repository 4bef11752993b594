/**
 * The bench's message pool: a fixed set of distinct, realistic NEW_SCAN texts in the shape of
 * the service's docs, built from a constant seed so every run feeds the same bytes.
 *
 * Every MATCH_EVERY-th message (pool index ≡ MATCH_EVERY − 1) is by FILTER_CALLER with a market cap
 * of at least FILTER_MIN_MCAP; no other message passes `--caller FILTER_CALLER --min-mcap 100k`
 * (near misses are there on purpose: the same caller below the bound, a caller whose name only
 * starts the same). So k·MATCH_EVERY messages fed from the start of the pool hold exactly k matches
 * and the last one fed is a match: a filtered run ends when the feed's last message is consumed.
 */

export const POOL_SIZE = 1000;
export const MATCH_EVERY = 5; // 20% of calls match the filter
export const FILTER_CALLER = 'Gem Hunters';
export const FILTER_MIN_MCAP = 100_000;
export const FILTER_ARGS = ['--caller', FILTER_CALLER, '--min-mcap', '100k'];

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** mulberry32: small, fast, good enough for test data. */
function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

const ADJECTIVES = [
  'Baby', 'Giga', 'Based', 'Happy', 'Sad', 'Tiny', 'Fat', 'Golden', 'Dark', 'Cosmic', 'Super', 'Mini',
  'Turbo', 'Sleepy', 'Angry', 'Retro', 'Pixel', 'Magic', 'Frozen', 'Wild', 'Lucky', 'Royal', 'Crypto',
];
const NOUNS = [
  'Doge', 'Pepe', 'Cat', 'Frog', 'Shiba', 'Panda', 'Corgi', 'Hamster', 'Monkey', 'Penguin', 'Otter',
  'Capybara', 'Goat', 'Whale', 'Bonk', 'Chad', 'Wojak', 'Moon', 'Rocket', 'Dragon', 'Koala', 'Fox',
  'Bull', 'Hippo', 'Sloth', 'Llama', 'Duck', 'Turtle', 'Mochi', 'Samurai',
];
const SUFFIXES = ['', '', '', ' Inu', ' Coin', ' AI', ' on Sol', ' Army', ' 2.0', ' Classic', ' Wif Hat', ' Club'];
// A few names real feeds carry: accents, CJK, emoji. All are valid JSON strings and safe to print.
const EXOTIC = ['Pépé le Frog', '柴犬 Coin', 'Moon 🚀', 'Ñandú', 'Kōhai', 'Ōkami Inu', '🐸 Frogwifhat', 'Zürich Doge'];

const CALLERS = [
  { name: 'Gem Hunters Calls', platform: 'telegram' },
  { name: 'Alpha Leak', platform: 'telegram' },
  { name: 'Degen Den', platform: 'telegram' },
  { name: 'Moonshot Signals', platform: 'telegram' },
  { name: 'Solana Snipers', platform: 'telegram' },
  { name: 'Whale Alerts', platform: 'telegram' },
  { name: 'Pump Radar', platform: 'telegram' },
  { name: 'Lowcap Gems', platform: 'telegram' },
  { name: 'Trench Diggers', platform: 'telegram' },
  { name: 'Cabal Room', platform: 'discord' },
  { name: 'Alpha Vault', platform: 'discord' },
  { name: 'Crypto Coven', platform: 'discord' },
  { name: 'Sniper Guild', platform: 'discord' },
  { name: 'Gem Finder', platform: 'discord' },
  { name: 'sol_scout', platform: 'twitter' },
  { name: 'memelord_sol', platform: 'twitter' },
  { name: 'lowcapking', platform: 'twitter' },
  { name: 'degen_oracle', platform: 'twitter' },
];
const MATCHING = { name: FILTER_CALLER, platform: 'telegram' };

function callerId(r, platform) {
  const digits = (n) => {
    let s = String(1 + r.int(9));
    while (s.length < n) s += String(r.int(10));
    return s;
  };
  if (platform === 'telegram') return `-100${digits(10)}`;
  if (platform === 'discord') return digits(19);
  return digits(10 + r.int(9));
}

/** Returns POOL_SIZE distinct compact JSON texts (strings). */
export function buildPool(seed = 0x5eed) {
  const r = random(seed);
  // Stable ids per caller, drawn first.
  const ids = new Map();
  for (const c of [...CALLERS, MATCHING]) ids.set(c.name, callerId(r, c.platform));
  const texts = [];
  const seen = new Set();
  for (let i = 0; texts.length < POOL_SIZE; i++) {
    const index = texts.length;
    const match = index % MATCH_EVERY === MATCH_EVERY - 1;
    // 1 in 10 is the filter's caller below the bound: fails --min-mcap only.
    const nearMiss = !match && index % 10 === 1;
    const caller = match || nearMiss ? MATCHING : r.pick(CALLERS);
    let mcap = Math.exp(Math.log(150_000) + 1.5 * r.normal());
    mcap = Math.min(50_000_000, Math.max(5_000, mcap));
    if (match) mcap = Math.max(FILTER_MIN_MCAP, mcap);
    else if (nearMiss) mcap = Math.min(FILTER_MIN_MCAP - 1, mcap);
    mcap = r.next() < 0.7 ? Math.round(mcap) : Math.round(mcap * 100) / 100;
    const supply = r.pick([1e9, 1e9, 1e9, 1e9, 1e8, 1e10, 1e7]);
    const price = Number((mcap / supply).toPrecision(6));
    let address = '';
    const len = r.next() < 0.9 ? 44 : 43;
    for (let k = 0; k < len; k++) address += BASE58[r.int(58)];
    let name;
    if (r.next() < 0.05) name = r.pick(EXOTIC);
    else name = `${r.next() < 0.6 ? r.pick(ADJECTIVES) + ' ' : ''}${r.pick(NOUNS)}${r.pick(SUFFIXES)}`;
    const symbol = name
      .replace(/[^A-Za-z0-9]/g, '')
      .toUpperCase()
      .slice(0, 3 + r.int(8)) || 'TKN';
    const text = JSON.stringify({
      type: 'NEW_SCAN',
      data: {
        token_address: address,
        token_name: name,
        token_symbol: symbol,
        timestamp: 1_764_000_000 + i * 7 + r.int(7),
        caller: { id: ids.get(caller.name), name: caller.name, platform: caller.platform },
        price_data: { current_price: price, market_cap: mcap },
      },
    });
    if (seen.has(text)) continue;
    seen.add(text);
    texts.push(text);
  }
  return texts;
}

/** The texts as complete unmasked server→client WebSocket text frames. */
export function encodeFrame(payload) {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const len = body.length;
  let header;
  if (len < 126) {
    header = Buffer.from([0x81, len]);
  } else if (len < 65536) {
    header = Buffer.allocUnsafe(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.allocUnsafe(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([header, body]);
}

/** Whether one text passes `--caller FILTER_CALLER --min-mcap 100k` (for self-checks). */
export function matchesFilter(text) {
  const d = JSON.parse(text).data;
  const c = d.caller ?? {};
  const who = [c.name, c.id].map((v) => String(v).toLowerCase());
  return who.includes(FILTER_CALLER.toLowerCase()) && typeof d.price_data?.market_cap === 'number' && d.price_data.market_cap >= FILTER_MIN_MCAP;
}
