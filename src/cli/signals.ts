/**
 * Ctrl-C, SIGTERM and SIGHUP (the terminal closed) in the sweep child: the first aborts the sweep, so that the
 * completed steps still print; a second one, or a deadline, exits at once.
 *
 * @module
 */
import { linkCancelFlag } from "../step/inline_step.ts";
import { type HandledSignal, SIGNAL_EXIT_CODES } from "./exit_codes.ts";

/** SIGINT, SIGTERM and SIGHUP: the signals the CLI ends on with a summary. */
const HANDLED = Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[];

/** After a signal, the most time the CLI takes before it exits regardless. */
const SIGNAL_EXIT_DEADLINE_MS = 800;
/** A second signal within this time of the first is the same interrupt, delivered twice. */
const REPEATED_SIGNAL_MS = 300;

/**
 * Listens for SIGINT, SIGTERM and SIGHUP: the first aborts `controller` with
 * `Interrupted by SIGINT`; a later one, or {@linkcode SIGNAL_EXIT_DEADLINE_MS}
 * after the first, exits with the first signal's code.
 *
 * @param controller Aborted on the first signal.
 * @param inline The sweep has inline steps (a worker count of 0): a thread of its own also hears
 * the signals and stops them between jobs (an inline batch of synchronous jobs never yields).
 * @returns The signal received, if any, and `remove` to stop listening.
 */
export function listenForSignals(controller: AbortController, inline = false): {
  signalled: () => HandledSignal | undefined;
  remove: () => void;
} {
  let signalled: HandledSignal | undefined;
  let signalledAt = 0;
  const onSignal = (signal: HandledSignal) => {
    if (signalled) {
      // Ctrl-C reaches this child from the terminal and again from the parent, which forwards
      // it: only a signal well after the first means "exit now".
      if (performance.now() - signalledAt < REPEATED_SIGNAL_MS) return;
      Deno.exit(SIGNAL_EXIT_CODES[signalled]);
    }
    signalled = signal;
    signalledAt = performance.now();
    controller.abort(new Error(`Interrupted by ${signal}`));
    // A job that ignores its cancel flag keeps its worker busy, and terminate()
    // cannot stop it: exit on time regardless.
    const deadline = setTimeout(
      () => Deno.exit(SIGNAL_EXIT_CODES[signal]),
      SIGNAL_EXIT_DEADLINE_MS,
    );
    Deno.unrefTimer(deadline);
  };
  const stopListening = onHandledSignals(onSignal);
  const watcher = inline ? watchSignalsOffThread(controller.signal, HANDLED) : undefined;
  return {
    signalled: () => signalled,
    remove: () => {
      stopListening();
      watcher?.terminate();
    },
  };
}

/**
 * Calls `listener` with each SIGINT, SIGTERM or SIGHUP this process receives (SIGHUP too: left
 * to its default action it ends the process with nothing cleaned up).
 *
 * @param listener Called with the signal's name.
 * @returns What stops listening.
 */
export function onHandledSignals(listener: (signal: HandledSignal) => void): () => void {
  const listeners = HANDLED.map((signal) => [signal, () => listener(signal)] as const);
  for (const [signal, call] of listeners) Deno.addSignalListener(signal, call);
  return () => {
    for (const [signal, call] of listeners) Deno.removeSignalListener(signal, call);
  };
}

/**
 * A thread of its own that hears the same signals and raises the sweep's linked cancel flag at
 * once: an inline step of synchronous jobs on this thread stops after its running job (which
 * sees the flag through `shouldStop()`), instead of being killed with its jobs unreported.
 */
function watchSignalsOffThread(signal: AbortSignal, handled: readonly HandledSignal[]): Worker {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  linkCancelFlag(signal, flag);
  const code = `self.onmessage = ({ data }) => {
    const flag = new Int32Array(data.buffer);
    for (const name of data.handled) {
      Deno.addSignalListener(name, () => {
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
      });
    }
  };`;
  const watcher = new Worker(`data:text/javascript,${encodeURIComponent(code)}`, {
    type: "module",
  });
  watcher.postMessage({ buffer: flag.buffer, handled });
  return watcher;
}
