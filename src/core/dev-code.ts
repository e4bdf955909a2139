// src/dev/ (the dev mailbox, the demo seed, the VNeID simulator, the dev CLI commands) is left out of the production
// build and image. The composition roots reach it only by dynamic import, taken when configuration asks for it; these
// helpers tell "the build has no src/dev" apart from a real failure inside it.

/** Whether a failed dynamic import failed because the module is not there (a build without src/dev). */
export function isMissingModule(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** A `.catch` for a dynamic import of src/dev/: a missing module becomes a clear error naming the setting. */
export function devCodeMissing(what: string): (err: unknown) => never {
  return (err) => {
    if (isMissingModule(err))
      throw new Error(
        `${what} is dev-only code, not in this build (src/dev is left out of the production build); turn it off or run from the sources`,
        { cause: err },
      );
    throw err;
  };
}
