/** Where a JetStream reader starts: new messages, all, since a time, or at a stream sequence. */
export type StartPosition = { kind: 'new' } | { kind: 'all' } | { kind: 'since'; atMs: number } | { kind: 'seq'; seq: number };
