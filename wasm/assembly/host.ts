// The module's one import. The host throws from it to cancel a computation; it returns otherwise.
export declare function shouldStop(): void;
