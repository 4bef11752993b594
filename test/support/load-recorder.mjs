// Loaded with `node --import`: records every module the program loads, one URL a line, to the file
// named by REXI_LOAD_LOG, so a test can tell what a command pulled in.
import { register } from 'node:module';

register('./load-recorder-hooks.mjs', import.meta.url, { data: { file: process.env.REXI_LOAD_LOG } });
