// The seam where the dialog gets de-identified copies of the held files ("Upload a de-identified copy").

/** Either the cleaned copies, or why there are none (then the dialog does not offer the choice). */
export type CleanCopies = { available: false; reason: string } | { available: true; files: File[] };

/**
 * Prepares de-identified copies of `files` (same names, types and lastModified, in the same order; files
 * with nothing medical passed through unchanged). `paths` are the paths shown to the person, one per file.
 *
 * TODO(issue 4, de-identification): call the engine's de-identifier (src/core/deidentify.ts) here. Until
 * then the choice is not offered.
 */
export async function prepareCleanCopies(files: File[], paths: string[]): Promise<CleanCopies> {
  void files;
  void paths;
  return { available: false, reason: 'not built yet' };
}
