import { describe, expect, it } from 'vitest';
import {
  bigramDice,
  compareAddresses,
  compareBirthdays,
  compareNames,
  comparePhones,
  givenNameSimilarity,
  latinNameTokens,
  normaliseAddress,
  parseBirthday,
  parseChineseName,
  phoneDigits,
} from './match-features.js';

describe('names', () => {
  it('splits compound surnames and minority-name dots', () => {
    expect(parseChineseName('王小明')).toEqual({ surname: '王', given: '小明' });
    expect(parseChineseName('欧阳娜娜')).toEqual({ surname: '欧阳', given: '娜娜' });
    // Two characters only: 欧阳 alone would leave no given name, so it is 欧 + 阳.
    expect(parseChineseName('欧阳')).toEqual({ surname: '欧', given: '阳' });
    expect(parseChineseName('买买提·艾力')).toEqual({ surname: '买', given: '买提艾力' });
  });

  it('measures shared given-name characters in any order', () => {
    expect(givenNameSimilarity('小明', '晓明')).toBe(0.5);
    expect(givenNameSimilarity('明', '小明')).toBe(0.5);
    expect(givenNameSimilarity('小明', '明小')).toBe(1);
    expect(givenNameSimilarity('伟', '玮')).toBe(0);
  });

  it('grades Chinese names: exact, same surname with similar or different given name, different', () => {
    expect(compareNames('王小明', ' 王小明 ').level).toBe('exact');
    expect(compareNames('王小明', '王晓明').level).toBe('same_surname_similar_given');
    expect(compareNames('王小明', '王明').level).toBe('same_surname_similar_given');
    expect(compareNames('王小明', '王大伟').level).toBe('same_surname_different_given');
    expect(compareNames('王小明', '汪小明').level).toBe('different');
    expect(compareNames('欧阳娜娜', '欧娜娜').level).toBe('different');
  });

  it('grades Latin names with Jaro–Winkler, ignoring case, accents and order', () => {
    expect(latinNameTokens('  José  GARCÍA-López ')).toEqual(['jose', 'garcia', 'lopez']);
    expect(compareNames('John Smith', 'smith, john').level).toBe('exact');
    expect(compareNames('Martha Jones', 'Marhta Jones').level).toBe('similar');
    expect(compareNames('Jon Smith', 'Smith John').level).toBe('similar');
    expect(compareNames('John Smith', 'Mary Brown').level).toBe('different');
    expect(compareNames('Müller Anna', 'Anna Muller').level).toBe('exact');
  });

  it('says nothing across scripts or without a name', () => {
    expect(compareNames('王小明', 'Wang Xiaoming').level).toBe('incomparable');
    expect(compareNames(undefined, '王小明').level).toBe('missing');
    expect(compareNames('', '王小明').level).toBe('missing');
    expect(compareNames('--', 'John').level).toBe('missing');
  });
});

describe('birthdays', () => {
  it('parses full and yearless dates, rejecting impossible ones', () => {
    expect(parseBirthday('1990-03-04')).toEqual({ year: 1990, month: 3, day: 4 });
    expect(parseBirthday('--02-29')).toEqual({ month: 2, day: 29 });
    expect(parseBirthday('1990-02-29')).toBeUndefined();
    expect(parseBirthday('1990-13-01')).toBeUndefined();
    expect(parseBirthday('1990/03/04')).toBeUndefined();
  });

  it('grades exact, same day without a year, transposed and different', () => {
    expect(compareBirthdays('1990-03-04', '1990-03-04').level).toBe('exact');
    expect(compareBirthdays('1990-03-04', '--03-04').level).toBe('same_month_day');
    expect(compareBirthdays('1990-03-04', '1991-03-04').level).toBe('same_month_day');
    expect(compareBirthdays('1990-03-04', '1990-04-03').level).toBe('transposed_day_month');
    expect(compareBirthdays('--03-04', '1990-04-03').level).toBe('transposed_day_month');
    expect(compareBirthdays('1990-03-04', '1991-04-03').level).toBe('different');
    expect(compareBirthdays('1990-03-03', '1990-03-04').level).toBe('different');
    expect(compareBirthdays(undefined, '1990-03-04').level).toBe('missing');
  });
});

describe('phones', () => {
  it('reads full, international and masked phones', () => {
    expect(phoneDigits('13812345678')).toEqual({ full: '13812345678', prefix: '138', last4: '5678' });
    expect(phoneDigits('138****5678')).toEqual({ prefix: '138', last4: '5678' });
    expect(phoneDigits('*******5678')).toEqual({ last4: '5678' });
    expect(phoneDigits('+14155552671')).toMatchObject({ full: '+14155552671', last4: '2671' });
    expect(phoneDigits('call me')).toBeUndefined();
  });

  it('takes the best agreement over all phone pairs', () => {
    expect(comparePhones(['13812345678'], ['13912340000', '13812345678']).level).toBe('same_number');
    expect(comparePhones(['13812345678'], ['138****5678']).level).toBe('same_visible_digits');
    expect(comparePhones(['138****5678'], ['138****5678']).level).toBe('same_visible_digits');
    expect(comparePhones(['13812345678'], ['13899995678']).level).toBe('same_last4');
    expect(comparePhones(['13812345678'], ['139****5678']).level).toBe('same_last4');
    expect(comparePhones(['13812345678'], ['13812340000']).level).toBe('different');
    expect(comparePhones([], ['13812345678']).level).toBe('missing');
  });
});

describe('addresses', () => {
  it('folds the ways one address is written', () => {
    const variants = ['上海市徐汇区漕溪北路88号', '上海徐汇区漕溪北路 88', '徐汇区漕溪北路８８号', '漕溪北路88'];
    for (const variant of variants) expect(normaliseAddress(variant)).toBe('漕溪北路88');
    const lane = ['虹桥路1200弄5号1201室', '上海市长宁区虹桥路1200弄5号楼1201', '虹桥路1200弄5-1201', '虹桥路1200弄5幢1201'];
    for (const variant of lane) expect(normaliseAddress(variant)).toBe('虹桥路1200弄5|1201');
  });

  it('keeps a compound name that merely ends in 区', () => {
    expect(normaliseAddress('阳光小区3栋')).toBe('阳光小区3');
  });

  it('computes the bigram Dice coefficient', () => {
    expect(bigramDice('漕溪北路88', '漕溪北路88')).toBe(1);
    expect(bigramDice('漕溪北路88', '漕溪北路12')).toBeCloseTo(0.6, 10);
    expect(bigramDice('ab', 'cd')).toBe(0);
    expect(bigramDice('a', 'a')).toBe(1);
  });

  it('grades same, similar and different addresses', () => {
    expect(compareAddresses('上海市徐汇区漕溪北路88号', '漕溪北路88').level).toBe('same');
    expect(compareAddresses('虹桥路1200弄5号1201室', '虹桥路1200弄5号1202室').level).toBe('similar');
    expect(compareAddresses('漕溪北路88号', '漕溪北路86号').level).toBe('similar');
    expect(compareAddresses('漕溪北路88号', '南京西路1号').level).toBe('different');
    expect(compareAddresses(undefined, '漕溪北路88号').level).toBe('missing');
    expect(compareAddresses('  ', '漕溪北路88号').level).toBe('missing');
  });
});
