import type { UserError } from '../errors.js';
import type { NewScanData, WireMessage } from '../calls.js';

/**
 * The pipeline's shapes as far as the NATS output and source use them. They stand in for
 * src/pipeline/output.ts, src/pipeline/source.ts and the message classes of src/calls.ts until
 * those exist on this branch; the real types are wider and assignable to these.
 */

export interface CallMessage {
  readonly kind: 'call';
  raw: string;
  receivedAt: number;
  readonly data: NewScanData;
}

export interface OtherMessage {
  readonly kind: 'other';
  raw: string;
  receivedAt: number;
  readonly value: WireMessage;
}

export interface SignalMessage {
  readonly kind: 'signal';
  readonly raw: string;
  readonly receivedAt: number;
  readonly identity: string;
}

export type Message = CallMessage | OtherMessage | SignalMessage;
export type Batch = Message[];

export interface Output {
  write(batch: Batch, text: string): void;
  readonly behind: boolean;
  ready(): Promise<void>;
  readonly error: UserError | undefined;
  readonly gone: boolean;
  close(): Promise<void>;
  summary?(): string | undefined;
}

export interface Source extends AsyncIterable<Batch> {
  stop(): void;
  written?(batch: Batch): Promise<void> | void;
}
