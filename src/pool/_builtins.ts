/**
 * The builtins the worker's own code calls once a job module has loaded, taken
 * when this module loads (before any job code runs in the thread). A job shares
 * its realm with the dispatcher: it may replace `Function.prototype.call`,
 * `Map.prototype.get`, `Array.prototype.push`, the array and map iterators,
 * `Promise.prototype.then`, `AbortController.prototype.abort`… and the worker
 * must still claim, report and stop jobs (the two builtins Deno's own worker
 * loop needs, `Function.prototype.call` and `Promise.prototype.constructor`,
 * the worker entry pins read-only instead). Each method is called through these
 * copies (bound to `Function.prototype.call` as it was), never looked up on a
 * prototype at the time of the call. Private to `src/pool/`.
 *
 * @module
 */

const { bind, call } = Function.prototype;

/**
 * `method` as a plain function of its receiver: `uncurry(Map.prototype.get)(map, key)`. The
 * bound `call` is today's, so a job that replaces `Function.prototype.call` later changes nothing.
 */
function uncurry<This, Args extends unknown[], Result>(
  method: (this: This, ...args: Args) => Result,
): (self: This, ...args: Args) => Result {
  return bind.call(call, method) as (self: This, ...args: Args) => Result;
}

/** A prototype's getter, as a plain function of its receiver. */
function getter<This, Value>(prototype: object, name: string): (self: This) => Value {
  const read = Object.getOwnPropertyDescriptor(prototype, name)?.get;
  if (!read) throw new TypeError(`Cannot capture the getter ${name}: it is not an accessor`);
  return uncurry(read as (this: This) => Value);
}

/** `map.get(key)`. */
export const mapGet = uncurry(Map.prototype.get) as <K, V>(map: Map<K, V>, key: K) => V | undefined;
/** `map.set(key, value)`. */
export const mapSet = uncurry(Map.prototype.set) as <K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
) => void;
/** `map.delete(key)`. */
export const mapDelete = uncurry(Map.prototype.delete) as <K, V>(map: Map<K, V>, key: K) => boolean;
/** `map.clear()`. */
export const mapClear = uncurry(Map.prototype.clear) as <K, V>(map: Map<K, V>) => void;
/** `map.size`. */
export const mapSize = getter(Map.prototype, "size") as <K, V>(map: Map<K, V>) => number;
/**
 * `map.forEach(visit)`: no iterator object, so a replaced `%MapIteratorPrototype%.next`
 * does not reach it; entries deleted during the visit are skipped, as the spec says.
 */
export const mapForEach = uncurry(Map.prototype.forEach) as <K, V>(
  map: Map<K, V>,
  visit: (value: V, key: K) => void,
) => void;

/** `controller.abort(reason)`. */
export const abortController = uncurry(AbortController.prototype.abort) as (
  controller: AbortController,
  reason: unknown,
) => void;
/** `controller.signal`. */
export const controllerSignal = getter(AbortController.prototype, "signal") as (
  controller: AbortController,
) => AbortSignal;

/** `event.stopImmediatePropagation()`. */
export const stopImmediatePropagation = uncurry(Event.prototype.stopImmediatePropagation) as (
  event: Event,
) => void;
/** `event.preventDefault()`. */
export const preventDefault = uncurry(Event.prototype.preventDefault) as (event: Event) => void;
/** `event.error` of an `ErrorEvent`. */
export const errorEventError = getter(ErrorEvent.prototype, "error") as (event: Event) => unknown;
/** `event.reason` of a `PromiseRejectionEvent`. */
export const rejectionReason = getter(PromiseRejectionEvent.prototype, "reason") as (
  event: Event,
) => unknown;

/**
 * Calls `onFulfilled` with what `promise` settles to, or `onRejected` with why it rejected,
 * through `await`, never `promise.then`: a job may replace `Promise.prototype.then` or
 * `Promise[Symbol.species]`, which `then` consults. `await` does neither as long as
 * `Promise.prototype.constructor` is `Promise`, which the worker entry pins before any job
 * code runs (Deno's own message loop needs it too).
 */
export async function whenSettled<T>(
  promise: PromiseLike<T>,
  onFulfilled: (value: T) => void,
  onRejected: (reason: unknown) => void = () => {},
): Promise<void> {
  let value: T;
  try {
    value = await promise;
  } catch (reason) {
    onRejected(reason);
    return;
  }
  onFulfilled(value);
}
