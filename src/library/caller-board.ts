/**
 * createCallerBoard() for library users: the board the `callers` and `top` commands run, with its
 * options checked the way the CLI checks its flags, so a bad value fails at once with a
 * RexiLiveError (code REXI_BAD_OPTION) naming the option instead of ranking nonsense.
 */
import { usageError } from '../errors.js';
import {
  CALLER_SORTS,
  createCallerBoard as createBoard,
  type CallerBoard,
  type CallerBoardOptions,
  type RankingOptions,
} from '../stages/caller-board.js';


/**
 * A board to which calls are added in time order (`board.add(call)`, the call's `receivedAt` its
 * time) and that ranks their callers (`board.ranking({ minCalls, top, sort, settled })`).
 */
export function createCallerBoard(options: CallerBoardOptions): CallerBoard {
  const { horizonMs, hit } = options ?? ({} as CallerBoardOptions);
  if (typeof horizonMs !== 'number' || !(horizonMs > 0) || horizonMs === Infinity) {
    throw usageError('horizonMs must be a positive number of milliseconds');
  }
  if (typeof hit !== 'number' || !(hit > 1) || hit === Infinity) throw usageError('hit must be a multiple above 1');
  const board = createBoard({ horizonMs, hit });
  return {
    add: (call, timeMs) => board.add(call, timeMs),
    ranking: (ranking) => board.ranking(checkRanking(ranking)),
    counts: () => board.counts(),
  };
}

function checkRanking(options: RankingOptions | undefined): RankingOptions | undefined {
  if (options === undefined) return undefined;
  const { minCalls, top, sort } = options;
  if (minCalls !== undefined && !wholeAtLeastOne(minCalls)) throw usageError('minCalls must be a whole number of at least 1');
  if (top !== undefined && !wholeAtLeastOne(top)) throw usageError('top must be a whole number of at least 1');
  if (sort !== undefined && !CALLER_SORTS.includes(sort)) throw usageError(`sort must be one of ${CALLER_SORTS.join(', ')}`);
  return options;
}

const wholeAtLeastOne = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 1;
