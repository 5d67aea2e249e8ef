// A job that returns a settled promise at once: the in-flight machinery's own cost per job.
// deno-lint-ignore require-await
export default async () => 1;
