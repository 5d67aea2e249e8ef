/**
 * Ctrl-C, SIGTERM and SIGHUP (the terminal closed) in the sweep child: the first aborts the sweep, so that the
 * completed steps still print; a second one, or a deadline, exits at once.
 *
 * @module
 */
import { type HandledSignal, SIGNAL_EXIT_CODES } from "./exit_codes.ts";

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
 * @returns The signal received, if any, and `remove` to stop listening.
 */
export function listenForSignals(controller: AbortController): {
  signalled: () => HandledSignal | undefined;
  remove: () => void;
} {
  let signalled: HandledSignal | undefined;
  let signalledAt = 0;
  const onSignal = (signal: HandledSignal) => () => {
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
  const listeners = (Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]).map((signal) =>
    [signal, onSignal(signal)] as const
  );
  for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
  return {
    signalled: () => signalled,
    remove: () => {
      for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
    },
  };
}
