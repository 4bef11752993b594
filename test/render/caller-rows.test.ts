import { describe, expect, it } from 'vitest';
import type { CallerRow } from '../../src/stages/caller-board.js';
import {
  CALLER_CSV_HEADER,
  bestText,
  callerCsv,
  callerIds,
  callerNdjson,
  csvText,
  formatHitRate,
  formatLead,
  formatMultiple,
  formatScore,
} from '../../src/render/caller-rows.js';
import { callerTable } from '../../src/render/caller-table.js';
import { HOSTILE, forbiddenIn } from '../support/hostile.js';

const row = (over: Partial<CallerRow> = {}): CallerRow => ({
  rank: 1,
  caller: { id: 'c1', name: 'Alpha Vault', platform: 'telegram' },
  calls: 112,
  repeats: 9,
  firstCalls: 41,
  withMcap: 110,
  seenAgain: 93,
  hits: 38,
  hitRate: 38 / 110,
  score: 0.2614,
  medianMultiple: 1.62,
  meanFollowers: 1.21,
  medianLeadS: 720,
  open: 0,
  best: { tokenAddress: 'PepeMint1111', tokenSymbol: 'PEPE', multiple: 41.2, marketCap: 52000, peak: 2142400, timeMs: Date.UTC(2026, 10, 24, 9, 12, 3) },
  ...over,
});

describe('ndjson', () => {
  it("SPEC's fields, in SPEC's order, numbers exact, best.time ISO-8601 UTC with ms", () => {
    const line = callerNdjson(row());
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).toBe(
      '{"rank":1,"caller":{"id":"c1","name":"Alpha Vault","platform":"telegram"},"calls":112,"repeats":9,' +
        '"first_calls":41,"with_mcap":110,"seen_again":93,"hits":38,"hit_rate":0.34545454545454546,"score":0.2614,' +
        '"median_multiple":1.62,"mean_followers":1.21,"median_lead_s":720,"open":0,' +
        '"best":{"token_address":"PepeMint1111","token_symbol":"PEPE","multiple":41.2,"market_cap":52000,"peak":2142400,"time":"2026-11-24T09:12:03.000Z"}}',
    );
  });

  it('nulls stay null; characters a terminal acts on are escaped, the value unchanged', () => {
    const r = row({ caller: { id: null, name: 'a\u202eb\u009bc\x1b', platform: null }, medianMultiple: null, medianLeadS: null, best: null });
    const line = callerNdjson(r);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e](?!$)/);
    const back = JSON.parse(line) as Record<string, unknown>;
    expect(back.caller).toEqual({ id: null, name: 'a\u202eb\u009bc\x1b', platform: null });
    expect(back).toMatchObject({ median_multiple: null, median_lead_s: null, best: null });
  });
});

describe('csv', () => {
  it("SPEC's header exactly, one row per caller, empty for null", () => {
    expect(CALLER_CSV_HEADER).toBe(
      'rank,platform,caller_id,caller_name,calls,repeats,first_calls,with_mcap,seen_again,hits,hit_rate,score,median_multiple,mean_followers,median_lead_s,open,best_token_address,best_token_symbol,best_multiple',
    );
    const text = callerCsv([row(), row({ rank: 2, caller: { id: null, name: 'Beta', platform: 'discord' }, medianMultiple: null, medianLeadS: null, best: null })]);
    expect(text.split('\n')).toEqual([
      CALLER_CSV_HEADER,
      '1,telegram,c1,Alpha Vault,112,9,41,110,93,38,0.34545454545454546,0.2614,1.62,1.21,720,0,PepeMint1111,PEPE,41.2',
      '2,discord,,Beta,112,9,41,110,93,38,0.34545454545454546,0.2614,,1.21,,0,,,',
      '',
    ]);
  });

  it('RFC 4180 quoting: comma, quote, line breaks', () => {
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('two\nlines')).toBe('"two\nlines"');
    expect(csvText('cr\rhere')).toBe('"cr\rhere"');
    expect(csvText('plain')).toBe('plain');
    expect(csvText(null)).toBe('');
  });

  it('a cell starting with = + - @ (or TAB, CR) never runs in a spreadsheet', () => {
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://evil","x")', '=cmd|" /C calc"!A0']) {
      const cell = csvText(formula);
      const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
      expect(unquoted, formula).toBe(`'${formula}`);
    }
    const text = callerCsv([row({ caller: { id: '=2+3', name: '@x', platform: '-p' }, best: { ...row().best!, tokenAddress: '+A', tokenSymbol: '=S' } })]);
    const cells = text.split('\n')[1]!.split(',');
    expect([cells[1], cells[2], cells[3], cells[16], cells[17]]).toEqual(["'-p", "'=2+3", "'@x", "'+A", "'=S"]);
  });
});

describe('ids', () => {
  it('the id, else the name, one a line; a name a caller file cannot hold is left out and counted', () => {
    const rows = [
      row(),
      row({ caller: { id: null, name: 'Beta', platform: 'x' } }),
      row({ caller: { id: null, name: 'two\nlines', platform: 'x' } }),
      row({ caller: { id: null, name: '#comment', platform: 'x' } }),
      row({ caller: { id: null, name: ' padded', platform: 'x' } }),
    ];
    expect(callerIds(rows)).toEqual({ text: 'c1\nBeta\n', unwritable: 3 });
    expect(callerIds([])).toEqual({ text: '', unwritable: 0 });
  });
});

describe('table cells', () => {
  it('hit rate 38%, score 0.29, median 1.6×, best PEPE 41.2×, lead 12m', () => {
    expect(formatHitRate(38 / 100)).toBe('38%');
    expect(formatHitRate(0)).toBe('0%');
    expect(formatScore(0.2864)).toBe('0.29');
    expect(formatMultiple(1.62)).toBe('1.6×');
    expect(formatMultiple(0.5)).toBe('0.5×');
    expect(formatMultiple(310.4)).toBe('310×');
    expect(formatMultiple(null)).toBe('-');
    expect(bestText(row())).toBe('PEPE 41.2×');
    expect(bestText(row({ best: { ...row().best!, tokenSymbol: null, tokenAddress: '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU' } }))).toBe('7xKX…gAsU 41.2×');
    expect(bestText(row({ best: null }))).toBe('-');
    expect(formatLead(720)).toBe('12m');
    expect(formatLead(45.4)).toBe('45s');
    expect(formatLead(3 * 3600 + 5 * 60)).toBe('3h05m');
    expect(formatLead(7200)).toBe('2h');
    expect(formatLead(null)).toBe('-');
  });

  it('the table: a header and a row per caller, hostile feed text sanitized', () => {
    const text = callerTable([row(), row({ rank: 2, caller: { id: 'x', name: 'Beta', platform: 'discord' } })]);
    expect(text).toMatch(/│ # │ caller +│ platform │ calls │ first │ hit rate │ score │ median │ best +│ lead │/);
    expect(text).toMatch(/│ 1 │ Alpha Vault +│ telegram │ +112 │ +41 │ +35% │ +0\.26 │ +1\.6× │ PEPE 41\.2× │ +12m │/);
    expect(text).toMatch(/│ 2 │ Beta /);
    // A rule under the header, none between rows.
    expect(text.split('\n').filter((l) => l.startsWith('├'))).toHaveLength(1);
    expect(text.split('\n')).toHaveLength(7);
    for (const [what, s] of Object.entries(HOSTILE)) {
      const hostile = callerTable([row({ caller: { id: s, name: s, platform: s }, best: { ...row().best!, tokenSymbol: s } })]);
      expect(forbiddenIn(hostile), what).toEqual([]);
      const byId = callerTable([row({ caller: { id: s, name: null, platform: null }, best: { ...row().best!, tokenSymbol: null, tokenAddress: s } })]);
      expect(forbiddenIn(byId), what).toEqual([]);
    }
  });
});
