// A reproducible synthetic member book with known duplicates, for measuring duplicate suggestions:
// a local Shanghai merchant's customers with realistic Chinese surname frequencies and common
// given names (so that different people share names), households that share an address and a
// contact phone, and second records of the same customer with the errors counters produce:
// homophone typos, day/month swaps, missing fields, new phones, masked phones from payment
// channels, and address spelling variants (88号 / 88, 5号楼 / 5栋, with or without 上海市徐汇区).

import type { MatchProfile } from './match-features.js';
import { seededRandom, type SeededRandom } from './seeded-random.js';

export interface SyntheticPerson extends MatchProfile {
  // Records with the same entityId are the same customer: the ground truth.
  readonly entityId: string;
}

export interface SyntheticBookOptions {
  readonly count: number;
  readonly seed: number;
  // Share of customers recorded more than once.
  readonly duplicateRate?: number;
  // Share of customers with a household member in the book.
  readonly householdRate?: number;
}

// Every rate the generator uses, written once so the docs can quote them.
export const SYNTHETIC_RATES = {
  duplicateRate: 0.15,
  // Of duplicated customers, those with a third record.
  thirdRecordRate: 0.2,
  householdRate: 0.12,
  latinNameRate: 0.08,
  singleCharGivenNameRate: 0.25,
  birthdayKnownRate: 0.8,
  yearlessBirthdayRate: 0.1,
  phoneKnownRate: 0.92,
  // Members created from a payment only see the masked phone the channel returns.
  maskedPhoneRate: 0.3,
  addressKnownRate: 0.6,
  householdSharesPhoneRate: 0.35,
  // A second record of the same customer:
  second: {
    name: { exact: 0.74, givenHomophone: 0.14, surnameHomophone: 0.03, givenCharDropped: 0.03, differentGiven: 0.02, missing: 0.04 },
    birthday: { same: 0.64, transposed: 0.08, missing: 0.12, yearless: 0.06, yearTypo: 0.04, different: 0.06 },
    phone: { same: 0.58, mistyped: 0.03, newNumber: 0.21, missing: 0.18 },
    address: { same: 0.55, moved: 0.25, missing: 0.2 },
  },
} as const;

// Share of the population in percent (2020 census, rounded); the tail stands for the hundreds of
// rarer surnames.
const SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['王', 7.1], ['李', 7.0], ['张', 6.7], ['刘', 5.1], ['陈', 4.6], ['杨', 3.2], ['赵', 2.3], ['黄', 2.2],
  ['周', 1.9], ['吴', 1.9], ['徐', 1.5], ['孙', 1.5], ['胡', 1.3], ['朱', 1.3], ['高', 1.2], ['林', 1.2],
  ['何', 1.2], ['郭', 1.2], ['马', 1.1], ['罗', 0.9], ['梁', 0.8], ['宋', 0.7], ['郑', 0.7], ['谢', 0.7],
  ['韩', 0.6], ['唐', 0.6], ['冯', 0.6], ['于', 0.6], ['董', 0.6], ['肖', 0.6], ['程', 0.6], ['曹', 0.5],
  ['袁', 0.5], ['邓', 0.5], ['许', 0.5], ['傅', 0.5], ['沈', 0.5], ['曾', 0.5], ['彭', 0.5], ['吕', 0.5],
  ['苏', 0.5], ['卢', 0.5], ['蒋', 0.4], ['蔡', 0.4], ['贾', 0.4], ['丁', 0.4], ['魏', 0.4], ['薛', 0.4],
  ['叶', 0.4], ['阎', 0.4], ['余', 0.4], ['潘', 0.4], ['杜', 0.3], ['戴', 0.3], ['夏', 0.3], ['钟', 0.3],
  ['汪', 0.3], ['田', 0.3], ['任', 0.3], ['姜', 0.3], ['范', 0.3], ['方', 0.3], ['石', 0.2], ['姚', 0.2],
  ['谭', 0.2], ['廖', 0.2], ['邹', 0.2], ['熊', 0.2], ['金', 0.2], ['陆', 0.2], ['郝', 0.2], ['孔', 0.2],
  ['白', 0.1], ['崔', 0.1], ['康', 0.1], ['毛', 0.1], ['邱', 0.1], ['秦', 0.1], ['江', 0.1], ['史', 0.1],
  ['顾', 0.1], ['侯', 0.1], ['邵', 0.1], ['孟', 0.1], ['龙', 0.1], ['万', 0.1], ['段', 0.1], ['章', 0.1],
  ['钱', 0.1], ['汤', 0.1], ['尹', 0.1], ['黎', 0.1], ['易', 0.1], ['常', 0.1], ['武', 0.1], ['乔', 0.1],
  ['贺', 0.1], ['赖', 0.1], ['龚', 0.1], ['文', 0.1], ['欧阳', 0.05], ['司马', 0.02], ['诸葛', 0.01], ['上官', 0.01],
  ...Array.from('庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍韦申尤毕聂丛焦向柳邢路岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵解强柴华车冉房边')
    .map((surname): readonly [string, number] => [surname, 0.12]),
];

// Surnames confused by sound (southern accents merge huang/wang, zhang/zhang) or by a similar glyph.
const SURNAME_HOMOPHONES: Readonly<Record<string, readonly string[]>> = {
  张: ['章'], 章: ['张'], 王: ['汪', '黄'], 汪: ['王'], 黄: ['王'], 李: ['黎'], 黎: ['李'], 刘: ['柳'],
  柳: ['刘'], 徐: ['许'], 许: ['徐'], 周: ['邹'], 邹: ['周'], 吴: ['伍'], 伍: ['吴'], 林: ['凌'],
  江: ['姜'], 姜: ['江'], 肖: ['萧'], 陈: ['程'], 程: ['陈'], 杨: ['阳'], 钟: ['仲'], 余: ['于'], 于: ['余'],
};

// Given-name characters in groups of homophones, most used group first; within a group the first
// character is the most common spelling.
const GIVEN_NAME_GROUPS: readonly (readonly string[])[] = [
  ['伟', '玮', '炜', '韦'], ['丽', '莉', '俪'], ['静', '晶', '婧', '靖'], ['明', '铭', '鸣'], ['华', '桦', '骅'],
  ['敏', '珉', '闵'], ['军', '君', '钧'], ['杰', '洁', '婕'], ['芳', '舫'], ['娜', '纳'], ['强', '蔷'],
  ['磊', '蕾', '垒'], ['洋', '阳', '扬'], ['勇', '永', '咏'], ['艳', '燕', '彦', '雁'], ['涛', '韬', '滔'],
  ['超', '潮'], ['娟', '涓', '鹃'], ['霞', '侠'], ['平', '萍', '苹', '屏'], ['刚', '钢', '纲'], ['辉', '晖', '徽'],
  ['慧', '惠', '蕙'], ['婷', '亭', '庭'], ['雪', '学'], ['琳', '霖', '麟'], ['秀', '琇', '绣'], ['英', '瑛'],
  ['颖', '莹', '盈'], ['玲', '铃', '灵', '翎'], ['红', '宏', '鸿', '虹'], ['梅', '玫', '媚'], ['斌', '彬', '滨'],
  ['宇', '雨', '羽', '瑜', '语'], ['浩', '昊', '皓', '灏'], ['凯', '恺', '铠'], ['鹏', '朋', '蓬'],
  ['欣', '馨', '新', '心', '昕'], ['佳', '嘉', '家', '珈'], ['思', '斯', '丝'], ['晨', '辰', '宸', '臣'],
  ['子', '梓', '紫', '姿'], ['怡', '依', '逸', '艺', '宜', '奕'], ['小', '晓', '筱'], ['文', '雯', '闻'],
  ['俊', '骏', '峻', '浚'], ['志', '智', '芝', '致'], ['建', '剑', '健', '键'], ['国', '帼'], ['海', '亥'],
  ['波', '博', '勃'], ['春', '椿'], ['峰', '锋', '丰', '枫'], ['龙', '隆', '珑'], ['玉', '钰', '毓'],
  ['晴', '清', '青', '卿'], ['雅', '亚', '娅'], ['天', '添', '田'], ['安', '岸'], ['杭', '航'],
];

const GIVEN_NAME_CHARS: ReadonlyArray<readonly [string, number]> = GIVEN_NAME_GROUPS.flatMap((group, rank) =>
  group.map((char, position): readonly [string, number] => {
    // Zipf-like: a few characters make up much of all given names, which is why names collide.
    const groupWeight = 1 / (rank + 1) ** 0.9;
    return [char, position === 0 ? groupWeight : groupWeight * 0.25];
  }),
);

const HOMOPHONES_OF = new Map<string, readonly string[]>(
  GIVEN_NAME_GROUPS.flatMap((group) => group.map((char) => [char, group.filter((other) => other !== char)] as const)),
);

const LATIN_GIVEN = [
  'James', 'John', 'Michael', 'David', 'Robert', 'William', 'Mary', 'Anna', 'Sarah', 'Emma', 'Olivia', 'Sophie',
  'Thomas', 'Daniel', 'Lucas', 'Peter', 'Laura', 'Julia', 'Kevin', 'Jason', 'Linda', 'Grace', 'Chris', 'Tony',
  'Eric', 'Alice', 'Helen', 'Jack', 'Mark', 'Paul',
];
const LATIN_FAMILY = [
  'Smith', 'Johnson', 'Brown', 'Miller', 'Davis', 'Wilson', 'Taylor', 'Anderson', 'Thomas', 'Martin', 'Müller',
  'Schmidt', 'Dubois', 'Rossi', 'García', 'Kim', 'Park', 'Nguyen', 'Tanaka', 'Sato', 'Suzuki', 'Lee', 'Wong',
  'Singh', 'Kumar', 'Ivanov', 'Novak', 'Silva', 'Santos', 'Fischer',
];

// A local merchant: its customers live and work in a few Shanghai districts, on shared roads.
const ROADS_BY_DISTRICT: Readonly<Record<string, readonly string[]>> = {
  徐汇区: ['漕溪北路', '肇嘉浜路', '天钥桥路', '南丹东路', '宜山路', '田林路', '虹漕路', '钦州路', '龙华西路', '斜土路'],
  静安区: ['南京西路', '延安中路', '常德路', '江宁路', '愚园路', '北京西路', '铜仁路', '万航渡路'],
  长宁区: ['虹桥路', '仙霞路', '天山路', '延安西路', '娄山关路', '遵义路', '古北路'],
  黄浦区: ['淮海中路', '西藏南路', '复兴东路', '中华路', '陆家浜路'],
  浦东新区: ['张杨路', '浦电路', '东方路', '杨高南路', '锦绣路', '浦东南路', '源深路'],
  闵行区: ['七莘路', '莘庄路', '沪闵路', '都市路', '吴中路'],
};
const DISTRICTS = Object.keys(ROADS_BY_DISTRICT);

// Mainland mobile prefixes of the three carriers.
const CARRIER_PREFIXES = [
  '134', '135', '136', '137', '138', '139', '150', '151', '152', '157', '158', '159', '182', '183', '187', '188',
  '130', '131', '132', '155', '156', '185', '186', '133', '153', '180', '181', '189', '177', '199',
];
// Number blocks (first 7 digits) in use around one merchant.
const LOCAL_BLOCK_COUNT = 400;

interface Address {
  readonly district: string;
  readonly road: string;
  readonly number: number;
  // Shanghai 弄 (lane) addresses: lane number, building, room.
  readonly lane?: { readonly building: number; readonly room: number };
}

interface Entity {
  readonly id: string;
  readonly script: 'chinese' | 'latin';
  readonly surname: string;
  readonly given: string;
  readonly birthday?: { readonly year: number; readonly month: number; readonly day: number };
  readonly phone?: string;
  readonly address?: Address;
}

interface Generator {
  readonly random: SeededRandom;
  readonly blocks: readonly string[];
}

export function generateSyntheticPersons(options: SyntheticBookOptions): SyntheticPerson[] {
  const random = seededRandom(options.seed);
  const generator: Generator = {
    random,
    blocks: Array.from({ length: LOCAL_BLOCK_COUNT }, () => `${random.pick(CARRIER_PREFIXES)}${digits(random, 4)}`),
  };
  const duplicateRate = options.duplicateRate ?? SYNTHETIC_RATES.duplicateRate;
  const householdRate = options.householdRate ?? SYNTHETIC_RATES.householdRate;
  const persons: Array<Omit<SyntheticPerson, 'id'>> = [];
  let entityCount = 0;
  const add = (entity: Entity, second: boolean): void => {
    if (persons.length < options.count) persons.push(renderRecord(generator, entity, second));
  };

  while (persons.length < options.count) {
    const entity = newEntity(generator, `ent_${entityCount++}`);
    add(entity, false);
    if (random.chance(duplicateRate)) {
      add(entity, true);
      if (random.chance(SYNTHETIC_RATES.thirdRecordRate)) add(entity, true);
    }
    if (random.chance(householdRate)) add(householdMember(generator, `ent_${entityCount++}`, entity), false);
  }
  // Records of one customer arrive at different times; shuffle so ids say nothing about truth.
  return shuffle(random, persons).map((person, index) => ({ ...person, id: `syn_${String(index).padStart(6, '0')}` }));
}

// Number of pairs of records that belong to the same customer.
export function countTrueDuplicatePairs(persons: readonly SyntheticPerson[]): number {
  const sizes = new Map<string, number>();
  for (const person of persons) sizes.set(person.entityId, (sizes.get(person.entityId) ?? 0) + 1);
  let pairs = 0;
  for (const size of sizes.values()) pairs += (size * (size - 1)) / 2;
  return pairs;
}

function newEntity(generator: Generator, id: string): Entity {
  const { random } = generator;
  const script = random.chance(SYNTHETIC_RATES.latinNameRate) ? 'latin' : 'chinese';
  const surname = script === 'latin' ? random.pick(LATIN_FAMILY) : random.weighted(SURNAMES);
  return {
    id,
    script,
    surname,
    given: script === 'latin' ? random.pick(LATIN_GIVEN) : givenName(random),
    ...(random.chance(SYNTHETIC_RATES.birthdayKnownRate) ? { birthday: birthday(random) } : {}),
    ...(random.chance(SYNTHETIC_RATES.phoneKnownRate) ? { phone: phone(generator) } : {}),
    ...(random.chance(SYNTHETIC_RATES.addressKnownRate) ? { address: address(random) } : {}),
  };
}

// Another customer at the same address: a child with the family surname or a spouse with their own,
// sometimes giving the family's one contact number. Not a duplicate, and the hardest kind of pair.
function householdMember(generator: Generator, id: string, of: Entity): Entity {
  const { random } = generator;
  const base = newEntity(generator, id);
  const sameSurname = of.script === base.script && random.chance(0.6);
  const sharedPhone = of.phone !== undefined && random.chance(SYNTHETIC_RATES.householdSharesPhoneRate);
  return {
    ...base,
    surname: sameSurname ? of.surname : base.surname,
    ...(sharedPhone ? { phone: of.phone } : {}),
    ...(of.address === undefined ? {} : { address: of.address }),
  };
}

function renderRecord(generator: Generator, entity: Entity, second: boolean): Omit<SyntheticPerson, 'id'> {
  const { random } = generator;
  const name = second ? secondName(random, entity) : entityName(entity, entity.surname, entity.given);
  let birthdayText: string | undefined;
  if (entity.birthday !== undefined) {
    birthdayText = second ? secondBirthday(random, entity.birthday) : firstBirthday(random, entity.birthday);
  }
  let phoneNumber = entity.phone;
  let addressValue = entity.address;
  if (second) {
    const rates = SYNTHETIC_RATES.second;
    const phoneChange = random.weighted([
      ['same', rates.phone.same],
      ['mistyped', rates.phone.mistyped],
      ['newNumber', rates.phone.newNumber],
      ['missing', rates.phone.missing],
    ] as const);
    if (phoneNumber !== undefined) {
      if (phoneChange === 'mistyped') phoneNumber = mistypeMiddleDigit(random, phoneNumber);
      else if (phoneChange === 'newNumber') phoneNumber = phone(generator);
      else if (phoneChange === 'missing') phoneNumber = undefined;
    }
    const addressChange = random.weighted([
      ['same', rates.address.same],
      ['moved', rates.address.moved],
      ['missing', rates.address.missing],
    ] as const);
    if (addressValue !== undefined && addressChange !== 'same') {
      addressValue = addressChange === 'moved' ? address(random) : undefined;
    }
  }
  const shownPhone = phoneNumber !== undefined && random.chance(SYNTHETIC_RATES.maskedPhoneRate) ? mask(phoneNumber) : phoneNumber;
  const phones = shownPhone === undefined ? [] : [shownPhone];
  return {
    entityId: entity.id,
    phones,
    ...(name === undefined ? {} : { name }),
    ...(birthdayText === undefined ? {} : { birthday: birthdayText }),
    ...(addressValue === undefined ? {} : { address: renderAddress(random, addressValue) }),
  };
}

function entityName(entity: Entity, surname: string, given: string): string {
  return entity.script === 'latin' ? `${given} ${surname}` : `${surname}${given}`;
}

function secondName(random: SeededRandom, entity: Entity): string | undefined {
  const rates = SYNTHETIC_RATES.second.name;
  const change = random.weighted([
    ['exact', rates.exact],
    ['givenHomophone', rates.givenHomophone],
    ['surnameHomophone', rates.surnameHomophone],
    ['givenCharDropped', rates.givenCharDropped],
    ['differentGiven', rates.differentGiven],
    ['missing', rates.missing],
  ] as const);
  if (entity.script === 'latin') return secondLatinName(random, entity, change);
  const given = Array.from(entity.given);
  switch (change) {
    case 'exact':
      return entityName(entity, entity.surname, entity.given);
    case 'givenHomophone': {
      const at = random.int(0, given.length - 1);
      const char = given[at] ?? '';
      const homophones = HOMOPHONES_OF.get(char) ?? [];
      given[at] = homophones.length > 0 ? random.pick(homophones) : random.weighted(GIVEN_NAME_CHARS);
      return entityName(entity, entity.surname, given.join(''));
    }
    case 'surnameHomophone': {
      const homophones = SURNAME_HOMOPHONES[entity.surname];
      const surname = homophones === undefined ? random.weighted(SURNAMES) : random.pick(homophones);
      return entityName(entity, surname, entity.given);
    }
    case 'givenCharDropped':
      // 王小明 registered as 王明, or the other way round: a character added.
      return given.length > 1
        ? entityName(entity, entity.surname, given.slice(1).join(''))
        : entityName(entity, entity.surname, `${random.weighted(GIVEN_NAME_CHARS)}${entity.given}`);
    case 'differentGiven':
      return entityName(entity, entity.surname, givenName(random));
    case 'missing':
      return undefined;
  }
}

function secondLatinName(random: SeededRandom, entity: Entity, change: string): string | undefined {
  switch (change) {
    case 'exact':
      return entityName(entity, entity.surname, entity.given);
    case 'missing':
      return undefined;
    case 'differentGiven':
      return entityName(entity, entity.surname, random.pick(LATIN_GIVEN));
    case 'surnameHomophone':
      // Family name first, as on Chinese forms.
      return `${entity.surname} ${entity.given}`;
    default:
      return random.chance(0.5)
        ? entityName(entity, typo(random, entity.surname), entity.given)
        : entityName(entity, entity.surname, typo(random, entity.given));
  }
}

// One keyboard slip: a swapped, dropped or replaced letter.
function typo(random: SeededRandom, word: string): string {
  const chars = Array.from(word);
  if (chars.length < 3) return word;
  const at = random.int(1, chars.length - 2);
  const kind = random.int(0, 2);
  if (kind === 0) {
    const next = chars[at + 1] ?? '';
    chars[at + 1] = chars[at] ?? '';
    chars[at] = next;
  } else if (kind === 1) {
    chars.splice(at, 1);
  } else {
    chars[at] = random.pick(Array.from('aeiounrst'));
  }
  return chars.join('');
}

function givenName(random: SeededRandom): string {
  const first = random.weighted(GIVEN_NAME_CHARS);
  return random.chance(SYNTHETIC_RATES.singleCharGivenNameRate) ? first : `${first}${random.weighted(GIVEN_NAME_CHARS)}`;
}

function birthday(random: SeededRandom): { year: number; month: number; day: number } {
  const year = random.int(1955, 2006);
  const month = random.int(1, 12);
  const day = random.int(1, new Date(Date.UTC(year, month, 0)).getUTCDate());
  return { year, month, day };
}

function formatBirthday(date: { year?: number; month: number; day: number }): string {
  const monthDay = `${pad2(date.month)}-${pad2(date.day)}`;
  return date.year === undefined ? `--${monthDay}` : `${date.year}-${monthDay}`;
}

function firstBirthday(random: SeededRandom, date: { year: number; month: number; day: number }): string {
  const yearless = random.chance(SYNTHETIC_RATES.yearlessBirthdayRate);
  return formatBirthday(yearless ? { month: date.month, day: date.day } : date);
}

function secondBirthday(random: SeededRandom, date: { year: number; month: number; day: number }): string | undefined {
  const rates = SYNTHETIC_RATES.second.birthday;
  const change = random.weighted([
    ['same', rates.same],
    ['transposed', rates.transposed],
    ['missing', rates.missing],
    ['yearless', rates.yearless],
    ['yearTypo', rates.yearTypo],
    ['different', rates.different],
  ] as const);
  switch (change) {
    case 'same':
      return firstBirthday(random, date);
    case 'transposed':
      // Only a day of 12 or less can pass for a month.
      return date.day <= 12 ? formatBirthday({ year: date.year, month: date.day, day: date.month }) : formatBirthday(date);
    case 'missing':
      return undefined;
    case 'yearless':
      return formatBirthday({ month: date.month, day: date.day });
    case 'yearTypo':
      return formatBirthday({ ...date, year: date.year + random.pick([-10, -1, 1, 10]) });
    case 'different':
      // A made-up birthday, given to get the birthday coupon sooner.
      return formatBirthday(birthday(random));
  }
}

function phone(generator: Generator): string {
  return `${generator.random.pick(generator.blocks)}${digits(generator.random, 4)}`;
}

// A slip in the middle four digits: the last four, which people read back, survive.
function mistypeMiddleDigit(random: SeededRandom, phoneNumber: string): string {
  const at = random.int(3, 6);
  const digit = String((Number(phoneNumber[at]) + random.int(1, 9)) % 10);
  return `${phoneNumber.slice(0, at)}${digit}${phoneNumber.slice(at + 1)}`;
}

function mask(phoneNumber: string): string {
  return `${phoneNumber.slice(0, 3)}****${phoneNumber.slice(-4)}`;
}

function address(random: SeededRandom): Address {
  const district = random.pick(DISTRICTS);
  const road = random.pick(ROADS_BY_DISTRICT[district] ?? []);
  if (!random.chance(0.6)) return { district, road, number: random.int(1, 999) };
  const lane = { building: random.int(1, 40), room: random.int(1, 30) * 100 + random.int(1, 4) };
  return { district, road, number: random.int(1, 2000), lane };
}

// The same address as different people write it.
function renderAddress(random: SeededRandom, value: Address): string {
  const prefix = random.weighted([
    ['', 3],
    ['上海市', 1],
    ['上海', 1],
    [`上海市${value.district}`, 2],
    [value.district, 2],
  ] as const);
  const numberSuffix = random.chance(0.8) ? '号' : '';
  let text = `${prefix}${value.road}`;
  if (value.lane === undefined) {
    text += `${value.number}${numberSuffix}`;
  } else {
    const building = random.pick(['号', '号楼', '栋', '幢']);
    const room = random.pick(['室', '', '']);
    text += random.chance(0.15)
      ? `${value.number}弄${value.lane.building}-${value.lane.room}`
      : `${value.number}弄${value.lane.building}${building}${value.lane.room}${room}`;
  }
  if (random.chance(0.1)) text = toFullWidthDigits(text);
  if (random.chance(0.1)) text = text.replace(value.road, `${value.road} `);
  return text;
}

function toFullWidthDigits(text: string): string {
  return text.replace(/\d/g, (digit) => String.fromCharCode(0xff10 + Number(digit)));
}

function digits(random: SeededRandom, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String(random.int(0, 9));
  return text;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

function shuffle<T>(random: SeededRandom, items: readonly T[]): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    const a = result[i] as T;
    result[i] = result[j] as T;
    result[j] = a;
  }
  return result;
}
