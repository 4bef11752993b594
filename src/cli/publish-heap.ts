import { setFlagsFromString } from 'node:v8';

/**
 * A publisher's peak memory after a NATS outage. While NATS is down the socket is paused and memory
 * stays flat; the catch-up afterwards publishes as fast as acknowledgements come back, and each
 * publish in flight (the client's request, its timer and promises, the headers) lives long enough
 * to be promoted out of the young generation. V8 then grew the young generation to 2 x 16 MB and let
 * the old one fill with that garbage to about four times what was live (under 15 MB) before a full
 * collection: 145 MB peak RSS after a 30 s outage at 2,000 calls/s (test/bench/nats.mjs, outage
 * row). Keeping the young generation at the size it has now and collecting the old one at 1.5 times
 * what is live brought it to about 82 MB, the catch-up no slower. Both flags are read by V8 at each
 * collection, so setting them here takes effect; they are set only for a publishing run, since the
 * stages that keep state (dedupe, multi-call) would pay for the extra full collections.
 */
export function boundPublisherHeap(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=50');
}
