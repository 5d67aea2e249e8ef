/** A temporary directory that removes itself at the end of an `await using` block. */
export interface TempDir extends AsyncDisposable {
  /** The directory's path. */
  path: string;
}

/** Makes a temporary directory; `await using dir = await tempDir()` removes it, contents and all. */
export async function tempDir(prefix = "deno-channels-test-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}
