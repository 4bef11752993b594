// The declarations name Node's types (Buffer, an http.Agent): a consumer with @types/node
// installed compiles them without listing "node" in its own "types" (TypeScript 6+ lists none).
/// <reference types="node" preserve="true" />
/**
 * The public library: what bot developers import from 'rexi-live'. Only re-exports: the code lives
 * in library/ (thin adapters) on the same core the CLI runs; nothing else in dist/ is part of the
 * contract.
 *
 *   import { liveCalls } from 'rexi-live';
 *   for await (const call of liveCalls({ url, apiKey, platform: ['telegram'] })) alert(call.tokenSymbol, call.tokenAddress);
 */
export { liveCalls, websocketUrl, type EndpointOptions, type LiveCallsOptions, type MultiCallOptions } from './library/live-calls.js';
export { createFeedServer, type FeedServer, type FeedServerOptions } from './library/feed-server.js';
export { createCallerBoard } from './library/caller-board.js';
export { CALLER_SORTS } from './stages/caller-board.js';
export type {
  BestCall,
  BoardCounts,
  CallerBoard,
  CallerBoardOptions,
  CallerIdentity,
  CallerRow,
  CallerSort,
  RankingOptions,
} from './stages/caller-board.js';
export type { NatsReadLibraryOptions } from './library/jetstream-calls.js';
export type { LiveCall as Call, CallerView, SkipKind } from './wire/calls.js';
export type { MultiCallWire, SignalCaller, SignalMessage as MultiCallSignal } from './wire/message.js';
export type { AuthMode } from './choices.js';
export type { DedupeKind } from './stages/identity.js';
export type { ReconnectCause, Status, StatusListener } from './stream/status.js';
export { AuthRejectedError, GaveUpError, RexiLiveError, WrongEndpointError, type RexiErrorCode } from './errors.js';
