import type { RenderBatch } from '../pipeline/output.js';
import type { Message } from '../wire/message.js';

/**
 * A renderer is chosen once from the options and is then a plain function of a message: it returns
 * the text to write (whole lines, each ending in '\n').
 */
export type Render = (message: Message) => string;

export type { RenderBatch };

/** A per-message renderer, applied to each message of a batch. */
export function renderEach(render: Render): RenderBatch {
  return (batch) => {
    let text = '';
    for (let i = 0; i < batch.length; i++) text += render(batch[i]!);
    return text;
  };
}

export type { Format } from '../choices.js';
