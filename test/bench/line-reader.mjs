#!/usr/bin/env node
/**
 * The bare line reader replay is measured against (the stages phase of run.mjs): reads a file in
 * the reads replay makes (256 KiB), cuts each read into lines (a line begun in one read is joined
 * with its end in the next) and writes a read's lines at once, as replay writes one batch per read.
 * Nothing is parsed or checked: the least any reader of lines can do.
 *
 *   node test/bench/line-reader.mjs <file>
 */
import fs from 'node:fs';

const NL = 0x0a;
const file = process.argv[2];
let pending = Buffer.alloc(0);

/** Writes `lines`, waiting for the pipe when it is full, as replay does. */
function write(lines) {
  const out = Buffer.concat(lines);
  return process.stdout.write(out) ? undefined : new Promise((resolve) => process.stdout.once('drain', resolve));
}

for await (const read of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) {
  const lines = [];
  let start = 0;
  for (let nl = read.indexOf(NL); nl !== -1; start = nl + 1, nl = read.indexOf(NL, start)) {
    if (start === 0 && pending.length > 0) {
      lines.push(Buffer.concat([pending, read.subarray(0, nl + 1)]));
      pending = Buffer.alloc(0);
    } else lines.push(read.subarray(start, nl + 1));
  }
  pending = start === 0 ? Buffer.concat([pending, read]) : read.subarray(start);
  if (lines.length > 0) await write(lines);
}
if (pending.length > 0) await write([pending, Buffer.from('\n')]);
