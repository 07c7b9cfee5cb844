// A console password: long enough to resist guessing, short enough to stop hashing abuse.
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < 10) problems.push('at least 10 characters');
  if (password.length > 128) problems.push('at most 128 characters');
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) problems.push('both letters and digits');
  return problems;
}
