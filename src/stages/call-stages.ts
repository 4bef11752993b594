import type { Stage } from '../pipeline/stage.js';
import type { SeenKeys } from './bounded-map.js';
import type { DedupeSpec } from './dedupe.js';
import { createFilterStage, type FilterReportOptions, type FilterSpec } from './filter.js';
import type { MultiCallSpec } from './multi-call.js';
import { createSignalStages } from './signal-stages.js';
import type { TokenWindows } from './token-windows.js';

/** What the calls go through, as the options decided it: the same for the CLI and the library. */
export interface CallStagesSpec {
  filter: FilterSpec;
  multiCall: MultiCallSpec | undefined;
  dedupe: DedupeSpec | undefined;
  stateMax: number;
}

/**
 * Every call's way, in SPEC's order: filters → multi-call counting → dedupe. Fresh state each
 * time: two library loops over one iterable share no windows or keys; a state file lends its stores.
 */
export function createCallStages(
  spec: CallStagesSpec,
  stores: { windows?: TokenWindows | undefined; keys?: SeenKeys | undefined } = {},
  report?: FilterReportOptions,
): Stage[] {
  return [createFilterStage(spec.filter, report), ...createSignalStages(spec, stores)];
}
