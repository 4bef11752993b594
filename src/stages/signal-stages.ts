import type { Stage } from '../pipeline/stage.js';
import type { SeenKeys } from './bounded-map.js';
import { createDedupeStage, type DedupeSpec } from './dedupe.js';
import { createMultiCallStage, type MultiCallSpec } from './multi-call.js';
import type { TokenWindows } from './token-windows.js';

/**
 * The stages after the filters, in their order: multi-call counting, then dedupe. Counting comes
 * first so dedupe thins the calls output, never the callers counted. The CLI and the library
 * both build them here; a state file, when there is one, lends them its stores.
 */
export function createSignalStages(
  options: { multiCall?: MultiCallSpec | undefined; dedupe?: DedupeSpec | undefined; stateMax: number },
  stores: { windows?: TokenWindows | undefined; keys?: SeenKeys | undefined } = {},
): Stage[] {
  const stages: Stage[] = [];
  const { multiCall, dedupe, stateMax } = options;
  if (multiCall !== undefined) {
    stages.push(createMultiCallStage({ ...multiCall, stateMax, ...(stores.windows !== undefined && { windows: stores.windows }) }));
  }
  if (dedupe !== undefined) {
    stages.push(createDedupeStage({ ...dedupe, stateMax, ...(stores.keys !== undefined && { store: stores.keys }) }));
  }
  return stages;
}
