/**
 * The CLI's exit codes: what each outcome of a run returns to the shell.
 *
 * @module
 */

/** Every job done. */
export const EXIT_OK = 0;
/** A job failed, the results could not be written, or the sweep stopped on an error. */
export const EXIT_JOB_FAILED = 1;
/** Bad settings, or workers that could not start. */
export const EXIT_BAD_SETTINGS = 2;
/**
 * Every job done, but a step got slower than the saved baseline (`--baseline`) by more than
 * `--baseline-threshold` percent: a CI job guarding a program's scaling fails on it.
 */
export const EXIT_SLOWER = 3;
/** Interrupted: 128 + the signal's number, as a shell reports it. */
export const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
/** The signals the CLI handles. */
export type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;
