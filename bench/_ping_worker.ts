// The trivial worker of dispatch_bench.ts's bare ping-pong: echoes every message at once.
/// <reference lib="deno.worker" />
self.onmessage = (event: MessageEvent<number>) => {
  self.postMessage(event.data);
};
