// The same job without the promise: the one-at-a-time baseline for bench/in_flight.ts.
export default () => 1;
