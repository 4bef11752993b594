import { DEDUPE_CHOICES } from '../choices.js';
import { present, type Call, type CallerView } from '../wire/calls.js';

/**
 * Who and what a call is, as compact strings for maps and the state file.
 *
 * A token is its address, exactly (base58 is case-sensitive). A caller is its platform plus its id,
 * else its platform plus its name; platform and name compare case-insensitively, an empty id or
 * name counts as missing. A caller with neither is the unknown caller of its platform: one caller
 * for dedupe, never counted as a distinct caller by multi-call. A call is token + caller +
 * `data.timestamp` (a missing or unusable timestamp is one value of its own).
 *
 * Keys are length-prefixed where a part is followed by another, so no text in a field can make two
 * different identities collide: `7:telegrami42` is platform "telegram", id "42".
 */

export type DedupeKind = (typeof DEDUPE_CHOICES)[number];
export const DEDUPE_KINDS: readonly DedupeKind[] = DEDUPE_CHOICES;

const BY_ID = 'i';
const BY_NAME = 'n';
const UNKNOWN = '?';

/** A part of a key that another part follows: its length tells where it ends. */
export const prefixed = (s: string): string => `${s.length}:${s}`;

export function callerKey(caller: CallerView): string {
  const platform = prefixed((caller.platform ?? '').toLowerCase());
  const id = present(caller.id);
  if (id !== null) return platform + BY_ID + id;
  const name = present(caller.name);
  if (name !== null) return platform + BY_NAME + name.toLowerCase();
  return platform + UNKNOWN;
}

/** Whether the caller has an id or a name: only those count toward --min-callers. */
export function isKnownCaller(caller: CallerView): boolean {
  return present(caller.id) !== null || present(caller.name) !== null;
}

export function tokenKey(call: Call): string {
  return call.tokenAddress;
}

export function tokenCallerKey(call: Call): string {
  return prefixed(call.tokenAddress) + callerKey(call.caller);
}

export function callKey(call: Call): string {
  return prefixed(call.tokenAddress) + prefixed(callerKey(call.caller)) + (call.timestampMs ?? '');
}

/** The key function for a --dedupe kind. */
export function dedupeKey(kind: DedupeKind): (call: Call) => string {
  switch (kind) {
    case 'call':
      return callKey;
    case 'caller':
      return tokenCallerKey;
    case 'token':
      return tokenKey;
  }
}
