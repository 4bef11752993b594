import { expect, it } from 'vitest';
import { liveCalls } from 'rexi-live';
import { addStream, publishRaw } from '../support/nats-client.js';
import { describeNats, natsServers } from '../support/nats-server.js';

const nats = natsServers('each');
const body = (i: number): string => `{"type":"NEW_SCAN","data":{"token_address":"T${i}","timestamp":1700000000,"caller":{"id":"c${i}","name":"C${i}","platform":"telegram"}}}`;

describeNats('liveCalls: an abort inside the loop body', () => {
  it('ends the loop at once, not after the rest of the read batch', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    // Stored before the loop starts: the first pull brings them all, in one batch.
    await publishRaw(server.url, Array.from({ length: 20 }, (_, k) => ({ subject: 'rexi.calls.telegram', body: body(k + 1) })));
    const stop = new AbortController();
    const got: string[] = [];
    for await (const call of liveCalls({ url: server.url, startSeq: 1, signal: stop.signal, backoffMinMs: 20, backoffMaxMs: 100 })) {
      got.push(call.tokenAddress);
      if (got.length === 2) stop.abort();
    }
    expect(got).toEqual(['T1', 'T2']);
  });
});
