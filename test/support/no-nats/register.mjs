// Preloaded with `node --import`: any import of a NATS client module fails, so a run that loads one
// when it should not ends with an error naming it.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
