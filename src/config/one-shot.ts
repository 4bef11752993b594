/**
 * A one-shot command (`replay nats://`, `callers nats://`) reads what is there and exits: a user
 * waiting for its answer wants "nothing is listening" (exit 4) after a few tries, not a process that
 * retries forever as a tail does. `--max-retries` / `--no-retry` still set another number.
 */
export const ONE_SHOT_MAX_RETRIES = 3;
