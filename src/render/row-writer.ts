/**
 * Bytes written one after another into a buffer that grows: a batch of rows becomes one buffer,
 * with no string per row to concatenate and encode again.
 */
export class RowWriter {
  buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Room for `n` more bytes. */
  room(n: number): void {
    if (this.pos + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      bigger.set(this.buf.subarray(0, this.pos));
      this.buf = bigger;
    }
  }

  put(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    const buf = this.buf;
    const at = this.pos;
    // A cell is a few dozen bytes: a loop costs less than set()'s call into the runtime.
    if (n <= 64) for (let k = 0; k < n; k++) buf[at + k] = bytes[k]!;
    else buf.set(bytes, at);
    this.pos = at + n;
  }

  text(s: string): void {
    this.room(Buffer.byteLength(s));
    this.pos += this.buf.write(s, this.pos);
  }
}
