import { describe, expect, it } from 'vitest';
import { passwordProblems } from './password-policy.js';

describe('passwordProblems', () => {
  it('accepts a long password with letters and digits', () => {
    expect(passwordProblems('correct horse 42')).toEqual([]);
  });
  it('names each missing property', () => {
    expect(passwordProblems('short1')).toEqual(['at least 10 characters']);
    expect(passwordProblems('onlyletterslong')).toEqual(['both letters and digits']);
    expect(passwordProblems('x'.repeat(129) + '1')).toEqual(['at most 128 characters']);
  });
});
