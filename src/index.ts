/**
 * The public library: what bot developers import from 'rexi-live'. Only re-exports: the code lives
 * in library/ (thin adapters) on the same core the CLI runs; nothing else in dist/ is part of the
 * contract.
 *
 *   import { liveCalls } from 'rexi-live';
 *   for await (const call of liveCalls({ url, apiKey, platform: ['telegram'] })) alert(call.tokenSymbol, call.tokenAddress);
 */
export { liveCalls, websocketUrl, type EndpointOptions, type LiveCallsOptions } from './library/live-calls.js';
export { createFeedServer, type FeedServer, type FeedServerOptions } from './library/feed-server.js';
export {
  CALLER_SORTS,
  createCallerBoard,
  type BestCall,
  type BoardCounts,
  type CallerBoard,
  type CallerBoardOptions,
  type CallerIdentity,
  type CallerRow,
  type CallerSort,
  type RankingOptions,
} from './library/caller-board.js';
export type { NatsReadLibraryOptions } from './library/jetstream-calls.js';
export type { Call, CallerView, SkipKind } from './wire/calls.js';
export type { MultiCallWire, SignalCaller, SignalMessage as MultiCallSignal } from './wire/message.js';
export type { AuthMode } from './choices.js';
export type { DedupeKind } from './stages/identity.js';
export type { Status, StatusListener } from './stream/status.js';
export { AuthRejectedError, GaveUpError, RexiLiveError, WrongEndpointError, type RexiErrorCode } from './errors.js';
