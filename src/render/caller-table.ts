import Table from 'cli-table3';
import type { CallerRow } from '../stages/caller-board.js';
import { sanitize } from './sanitize.js';
import { fit } from './width.js';
import { NONE, bestText, callerLabel, formatHitRate, formatLead, formatMultiple, formatScore } from './caller-rows.js';

/**
 * `callers -f table`: the ranking as one cli-table3 table (a ranking is drawn once, so cli-table3's
 * own layout is cheap enough here). Every string from the feed is sanitized first, and no colour is
 * used: the table reads the same in a terminal, a pager and a file.
 */

const HEAD = ['#', 'caller', 'platform', 'calls', 'first', 'hit rate', 'score', 'median', 'best', 'lead'];
const RIGHT = new Set([0, 3, 4, 5, 6, 7, 9]);

export function callerTable(rows: readonly CallerRow[]): string {
  const table = new Table({
    head: HEAD,
    style: { head: [], border: [] },
    colAligns: HEAD.map((_, i) => (RIGHT.has(i) ? 'right' : 'left')),
  });
  for (const row of rows) {
    table.push([
      String(row.rank),
      callerLabel(row),
      row.caller.platform === null ? NONE : fit(sanitize(row.caller.platform), 16).trimEnd(),
      String(row.calls),
      String(row.firstCalls),
      formatHitRate(row.hitRate),
      formatScore(row.score),
      formatMultiple(row.medianMultiple),
      bestText(row),
      formatLead(row.medianLeadS),
    ]);
  }
  // One rule under the header and none between rows: a ranking is read down its columns.
  // (cli-table3 draws every rule with the same characters, so the others are taken out here.)
  const lines = table.toString().split('\n');
  return lines.filter((l, i) => i <= 2 || !l.startsWith('├')).join('\n') + '\n';
}
