import { describe, expect, it } from 'vitest';
import { blockingKeys, candidatePairs, evaluateMatching, measureAt } from './match-evaluation.js';
import { SUGGESTION_THRESHOLD } from './match-score.js';

describe('blocking', () => {
  it('files a record under its surname and the last four digits of each phone', () => {
    expect(blockingKeys({ id: 'a', name: '欧阳娜娜', phones: ['13812345678', '139****0000'] }).sort()).toEqual([
      'last4:0000',
      'last4:5678',
      'surname:欧阳',
    ]);
    expect(blockingKeys({ id: 'b', name: 'John Smith', phones: [] }).sort()).toEqual(['surname:john', 'surname:smith']);
    expect(blockingKeys({ id: 'c', phones: [] })).toEqual([]);
  });

  it('pairs records sharing a key once each, and far fewer than all pairs', () => {
    const pairs = candidatePairs([
      { id: 'a', name: '王一', phones: ['13800000001'] },
      { id: 'b', name: '王二', phones: ['13900000001'] },
      { id: 'c', name: '李三', phones: ['13700000001'] },
      { id: 'd', name: '张四', phones: [] },
    ]);
    expect(pairs.map(([first, second]) => `${first}-${second}`).sort()).toEqual(['0-1', '0-2', '1-2']);
  });
});

describe('measureAt', () => {
  it('computes precision, recall and F1 over all true pairs', () => {
    const scored = [
      { first: 0, second: 1, score: 0.9, sameEntity: true },
      { first: 0, second: 2, score: 0.8, sameEntity: false },
      { first: 1, second: 2, score: 0.1, sameEntity: true },
    ];
    // Four true pairs in the book, one of which blocking never compared.
    expect(measureAt(scored, 4, 0.5)).toEqual({
      truePositives: 1,
      falsePositives: 1,
      falseNegatives: 3,
      precision: 0.5,
      recall: 0.25,
      f1: 2 * (0.5 * 0.25) / 0.75,
    });
    expect(measureAt(scored, 4, 0.95)).toMatchObject({ precision: 1, recall: 0 });
  });
});

describe('evaluateMatching', () => {
  it('suggests duplicates with precision ≥ 0.9 and recall ≥ 0.8 on 2,000 generated persons', () => {
    const evaluation = evaluateMatching({ persons: 2000, seed: 1, threshold: SUGGESTION_THRESHOLD });
    expect(evaluation.persons).toBe(2000);
    expect(evaluation.precision).toBeGreaterThanOrEqual(0.9);
    expect(evaluation.recall).toBeGreaterThanOrEqual(0.8);
    expect(evaluation.f1).toBeGreaterThanOrEqual(0.85);
    // Blocking compares a few percent of the two million pairs and keeps most true pairs.
    expect(evaluation.candidatePairs).toBeLessThan(0.05 * ((2000 * 1999) / 2));
    expect(evaluation.blockingRecall).toBeGreaterThan(0.9);
  });

  it('is reproducible and defaults to the suggestion threshold', () => {
    const first = evaluateMatching({ persons: 500, seed: 9 });
    expect(first.threshold).toBe(SUGGESTION_THRESHOLD);
    expect(evaluateMatching({ persons: 500, seed: 9 })).toEqual(first);
  });
});
