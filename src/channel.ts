/**
 * A Go-like channel for async code: buffered or unbuffered, `close()`, and
 * ranging with `for await`.
 *
 * @module
 */

type Receiver<T> = (result: ReceiveResult<T>) => void;

interface BlockedSender<T> {
  value: T;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** What {@linkcode Channel.receive} yields: a value, or `ok: false` once the channel is closed and drained. */
export type ReceiveResult<T> = { value: T; ok: true } | { value: undefined; ok: false };

/**
 * First-in first-out queue with O(1) push and shift, so a channel holding
 * 100,000 jobs does not pay for `Array.prototype.shift`.
 */
class Queue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/**
 * A channel in the manner of Go's `chan T`.
 *
 * - `send()` resolves once the value is buffered or handed to a receiver; with
 *   the buffer full (or capacity 0) it waits, like a blocked goroutine.
 * - `receive()` waits for a value; after `close()` it drains what is buffered,
 *   then yields `{ ok: false }`.
 * - `for await (const v of channel)` ranges until the channel is closed and drained.
 * - Sending on a closed channel rejects with a `TypeError` (Go panics). Unlike
 *   Go, `close()` is idempotent, so shutdown paths can call it freely.
 *
 * @typeParam T The type of the values carried.
 *
 * @example Buffered channel drained by `for await`
 * ```ts
 * import { Channel } from "./channel.ts";
 * import assert from "node:assert/strict";
 *
 * const jobs = new Channel<number>(3);
 * await jobs.send(1);
 * await jobs.send(2);
 * await jobs.send(3);
 * jobs.close();
 * const received: number[] = [];
 * for await (const job of jobs) received.push(job);
 * assert.deepEqual(received, [1, 2, 3]);
 * ```
 */
export class Channel<T> implements AsyncIterable<T> {
  #capacity: number;
  #buffer = new Queue<T>();
  #receivers = new Queue<Receiver<T>>();
  #senders = new Queue<BlockedSender<T>>();
  #closed = false;

  /**
   * Creates an open, empty channel.
   *
   * @param capacity How many values the channel holds before `send()` waits;
   *   0 (the default) makes every send wait for a receiver.
   * @throws {RangeError} If `capacity` is not a non-negative integer.
   */
  constructor(capacity = 0) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError(
        `Cannot create channel: capacity must be a non-negative integer, received ${capacity}`,
      );
    }
    this.#capacity = capacity;
  }

  /** How many values the channel buffers before `send()` waits. */
  get capacity(): number {
    return this.#capacity;
  }

  /** How many values are buffered now (Go's `len(ch)`). */
  get length(): number {
    return this.#buffer.length;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a value, waiting while the buffer is full.
   *
   * @param value The value to send.
   * @returns A promise that resolves once the value is buffered or received.
   * @throws {TypeError} (as a rejection) If the channel is closed, before or while waiting.
   *
   * @example Sending waits for room in the buffer
   * ```ts
   * import { Channel } from "./channel.ts";
   * import assert from "node:assert/strict";
   *
   * const channel = new Channel<string>(1);
   * await channel.send("a");
   * let sent = false;
   * const pending = channel.send("b").then(() => (sent = true));
   * await Promise.resolve();
   * assert.equal(sent, false);
   * assert.deepEqual(await channel.receive(), { value: "a", ok: true });
   * await pending;
   * assert.equal(sent, true);
   * ```
   */
  send(value: T): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new TypeError("Cannot send on a closed channel"));
    }
    const receiver = this.#receivers.shift();
    if (receiver) {
      receiver({ value, ok: true });
      return Promise.resolve();
    }
    if (this.#buffer.length < this.#capacity) {
      this.#buffer.push(value);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#senders.push({ value, resolve, reject }));
  }

  /**
   * Receives the next value, waiting until one is sent or the channel is closed.
   *
   * @returns `{ value, ok: true }`, or `{ value: undefined, ok: false }` once closed and drained.
   *
   * @example Receive after close yields `ok: false`
   * ```ts
   * import { Channel } from "./channel.ts";
   * import assert from "node:assert/strict";
   *
   * const channel = new Channel<number>(1);
   * await channel.send(7);
   * channel.close();
   * assert.deepEqual(await channel.receive(), { value: 7, ok: true });
   * assert.deepEqual(await channel.receive(), { value: undefined, ok: false });
   * ```
   */
  receive(): Promise<ReceiveResult<T>> {
    if (this.#buffer.length > 0) {
      const value = this.#buffer.shift() as T;
      const sender = this.#senders.shift();
      if (sender) {
        this.#buffer.push(sender.value);
        sender.resolve();
      }
      return Promise.resolve({ value, ok: true });
    }
    const sender = this.#senders.shift();
    if (sender) {
      sender.resolve();
      return Promise.resolve({ value: sender.value, ok: true });
    }
    if (this.#closed) return Promise.resolve({ value: undefined, ok: false });
    return new Promise((resolve) => this.#receivers.push(resolve));
  }

  /**
   * Closes the channel: buffered values can still be received, waiting
   * receivers get `ok: false`, and senders still waiting are rejected.
   * Calling it again does nothing.
   *
   * @example Closing wakes a waiting receiver
   * ```ts
   * import { Channel } from "./channel.ts";
   * import assert from "node:assert/strict";
   *
   * const channel = new Channel<number>();
   * const waiting = channel.receive();
   * channel.close();
   * channel.close();
   * assert.deepEqual(await waiting, { value: undefined, ok: false });
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (let receiver = this.#receivers.shift(); receiver; receiver = this.#receivers.shift()) {
      receiver({ value: undefined, ok: false });
    }
    for (let sender = this.#senders.shift(); sender; sender = this.#senders.shift()) {
      sender.reject(new TypeError("Cannot send on a closed channel: it was closed while waiting"));
    }
  }

  /**
   * Ranges over the channel until it is closed and drained, like Go's
   * `for v := range ch`.
   *
   * @returns An async iterator over the received values.
   *
   * @example Ranging with several consumers shares the values
   * ```ts
   * import { Channel } from "./channel.ts";
   * import assert from "node:assert/strict";
   *
   * const channel = new Channel<number>(4);
   * for (const n of [1, 2, 3, 4]) await channel.send(n);
   * channel.close();
   * const seen: number[] = [];
   * const consume = async () => {
   *   for await (const n of channel) seen.push(n);
   * };
   * await Promise.all([consume(), consume()]);
   * assert.deepEqual(seen.sort(), [1, 2, 3, 4]);
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (true) {
      const result = await this.receive();
      if (!result.ok) return;
      yield result.value;
    }
  }
}
