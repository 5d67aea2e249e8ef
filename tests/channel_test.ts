import assert from "node:assert/strict";
import { Channel } from "../mod.ts";

Deno.test("Channel buffers up to its capacity, then send() waits for a receiver", async () => {
  const channel = new Channel<number>(2);
  await channel.send(1);
  await channel.send(2);
  assert.equal(channel.length, 2);
  let thirdSent = false;
  const third = channel.send(3).then(() => (thirdSent = true));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(thirdSent, false);
  assert.deepEqual(await channel.receive(), { value: 1, ok: true });
  await third;
  assert.equal(thirdSent, true);
  assert.equal(channel.length, 2);
});

Deno.test("Channel with capacity 0 hands each value straight to a waiting receiver", async () => {
  const channel = new Channel<string>();
  const received = channel.receive();
  await channel.send("hello");
  assert.deepEqual(await received, { value: "hello", ok: true });
  assert.equal(channel.length, 0);
});

Deno.test("Channel keeps first-in first-out order across blocked senders", async () => {
  const channel = new Channel<number>(1);
  const sends = [1, 2, 3, 4].map((n) => channel.send(n));
  const received: number[] = [];
  for (let i = 0; i < 4; i++) received.push((await channel.receive()).value!);
  await Promise.all(sends);
  assert.deepEqual(received, [1, 2, 3, 4]);
});

Deno.test("Channel.close() lets receivers drain the buffer, then yields ok: false", async () => {
  const channel = new Channel<number>(3);
  await channel.send(1);
  await channel.send(2);
  channel.close();
  assert.equal(channel.closed, true);
  assert.deepEqual(await channel.receive(), { value: 1, ok: true });
  assert.deepEqual(await channel.receive(), { value: 2, ok: true });
  assert.deepEqual(await channel.receive(), { value: undefined, ok: false });
  assert.deepEqual(await channel.receive(), { value: undefined, ok: false });
});

Deno.test("Channel.close() wakes waiting receivers and rejects blocked senders", async () => {
  const idle = new Channel<number>();
  const waiting = idle.receive();
  idle.close();
  assert.deepEqual(await waiting, { value: undefined, ok: false });

  const full = new Channel<number>(1);
  await full.send(1);
  const blocked = full.send(2);
  full.close();
  await assert.rejects(blocked, TypeError);
  await assert.rejects(full.send(3), /closed channel/);
});

Deno.test("Channel.close() is idempotent", () => {
  const channel = new Channel<number>();
  channel.close();
  channel.close();
  assert.equal(channel.closed, true);
});

Deno.test("Channel rejects a negative or fractional capacity", () => {
  assert.throws(() => new Channel(-1), RangeError);
  assert.throws(() => new Channel(1.5), RangeError);
});

Deno.test("Channel ranged by several consumers delivers every value exactly once", async () => {
  const total = 10_000;
  const channel = new Channel<number>(16);
  const seen = new Map<number, number>();
  const consumer = async (delayEvery: number) => {
    let count = 0;
    for await (const value of channel) {
      seen.set(value, (seen.get(value) ?? 0) + 1);
      if (++count % delayEvery === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return count;
  };
  const consumers = [consumer(7), consumer(13), consumer(101)];
  for (let i = 0; i < total; i++) await channel.send(i);
  channel.close();
  const counts = await Promise.all(consumers);
  assert.equal(counts.reduce((a, b) => a + b, 0), total);
  assert.equal(seen.size, total);
  assert.ok([...seen.values()].every((n) => n === 1));
  assert.ok(counts.every((n) => n > 0), `every consumer got work: ${counts}`);
});
