import type { Random } from './prng.js';

/**
 * Meme-coin names and symbols composed from word lists, in the patterns real launches follow
 * ("Baby Doge", "Shiba Inu", "dogwifhat"), with the odd emoji: renderers must cope with them.
 */

const ADJECTIVES = [
  'Baby', 'Based', 'Tiny', 'Giga', 'Mega', 'Super', 'Turbo', 'Dark', 'Golden', 'Little', 'Angry', 'Sad',
  'Happy', 'Fat', 'Smol', 'Retro', 'Cyber', 'Space', 'Wild', 'Lucky', 'Sleepy', 'Crazy', 'Magic', 'Royal',
  'Frozen', 'Pixel', 'Chill', 'Dank', 'Degen', 'Sigma',
];
const NOUNS = [
  'Doge', 'Pepe', 'Cat', 'Frog', 'Shiba', 'Bonk', 'Penguin', 'Hamster', 'Goat', 'Chad', 'Wojak', 'Otter',
  'Panda', 'Monkey', 'Ape', 'Whale', 'Bull', 'Bear', 'Duck', 'Corgi', 'Capybara', 'Pug', 'Llama', 'Fox',
  'Rabbit', 'Turtle', 'Koala', 'Hippo', 'Sloth', 'Gecko', 'Moon', 'Rocket',
];
const ITEMS = ['Hat', 'Cap', 'Glasses', 'Chain', 'Knife', 'Bag', 'Crown', 'Scarf', 'Boots', 'Hoodie'];
const SUFFIXES = ['Inu', 'Coin', 'AI', 'Classic', '2.0', 'Token', 'on Sol', 'Cash', 'Mania', 'DAO', 'Army', 'World'];
const EMOJI = ['🚀', '🐸', '🐶', '💎', '🔥', '🌕'];

export interface TokenName {
  name: string;
  symbol: string;
}

const upper = (s: string): string => s.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
const fit = (symbol: string): string => symbol.slice(0, 10);

export function tokenName(random: Random): TokenName {
  const noun = random.pick(NOUNS);
  const roll = random.next();
  let token: TokenName;
  if (roll < 0.35) {
    const adj = random.pick(ADJECTIVES);
    const whole = upper(adj + noun);
    token = { name: `${adj} ${noun}`, symbol: whole.length <= 10 ? whole : fit(adj[0]!.toUpperCase() + upper(noun)) };
  } else if (roll < 0.6) {
    const suffix = random.pick(SUFFIXES);
    token = { name: `${noun} ${suffix}`, symbol: fit(upper(noun) + (suffix === 'AI' ? 'AI' : '')) };
  } else if (roll < 0.75) {
    const item = random.pick(ITEMS);
    // The dogwifhat pattern: lower-case run-together name, symbol from its initials.
    token = { name: `${noun}wif${item}`.toLowerCase(), symbol: `${noun[0]}W${item[0]}`.toUpperCase() };
  } else if (roll < 0.9) {
    token = { name: noun, symbol: upper(noun) };
  } else {
    const other = random.pick(NOUNS);
    token = { name: `${noun}${other}`, symbol: fit(upper(noun + other)) };
  }
  if (random.next() < 0.04) token.name = `${random.pick(EMOJI)} ${token.name}`;
  return token;
}
