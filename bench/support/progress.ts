/** Progress goes to stderr, so stdout carries only the result (a table, or JSON with --json). */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
