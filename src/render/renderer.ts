import type { Message } from '../message.js';

/**
 * A renderer is chosen once from the options and is then a plain function of a message: it returns
 * the text to write (whole lines, each ending in '\n').
 */
export type Render = (message: Message) => string;

export type { Format } from '../choices.js';
