// Value pools for the property-based test: for each column type, the ordinary values and the
// edge values that break engines — NULL, the empty string, NaN, ±Infinity, -0.0, int32
// boundaries, strings of 10k characters, non-ASCII text (emoji, ZWJ sequences, combining marks,
// CJK, right-to-left, full-width letters whose UTF-8 order differs from their UTF-16 order),
// numeric-looking strings for casts, dates before 1970 and leap days, NaNs with other bits. Plus what the expression
// generator needs to know about a column's numbers: their largest magnitude and how many
// binary fraction digits they have (sums of such values are exact, so they cannot depend on
// the order rows are added in).
import type { Rand } from './gen-random.js';
import type { TypeName } from './e2e.js';

/** A flavour of values of one type (each table column draws from one). */
export type Flavor =
  | 'int32-small' | 'int32-edge'
  | 'int64-small' | 'int64-wide'
  | 'float-exact' | 'float-wild'
  | 'string-text' | 'string-numeric' | 'string-key'
  | 'boolean' | 'date' | 'timestamp';

export const FLAVORS_OF: Readonly<Record<TypeName, readonly Flavor[]>> = {
  int32: ['int32-small', 'int32-edge'],
  int64: ['int64-small', 'int64-wide'],
  float64: ['float-exact', 'float-wild'],
  string: ['string-text', 'string-numeric', 'string-key'],
  boolean: ['boolean'],
  date: ['date'],
  timestamp: ['timestamp'],
};

/** NaNs with other bits than JS's NaN: the sign bit set (what x86 arithmetic produces), a payload. */
const bitsToDouble = (bits: bigint) => new Float64Array(new BigUint64Array([bits]).buffer)[0]!;
export const NEGATIVE_NAN = bitsToDouble(0xfff8000000000000n);
export const PAYLOAD_NAN = bitsToDouble(0x7ff8000000000001n);

const I32_MAX = 2147483647;
const I32_MIN = -2147483648;
const MS_DAY = 86_400_000;

const range = (lo: number, hi: number, step = 1): number[] => {
  const out: number[] = [];
  for (let x = lo; x <= hi; x += step) out.push(x);
  return out;
};

export const LONG_X = 'x'.repeat(10_000);
const LONG_STRINGS = [
  LONG_X,
  'x'.repeat(9_999) + 'y', // shares a 9,999-byte prefix with LONG_X
  '日本'.repeat(5_000),
  '😀'.repeat(2_500) + 'a',
  'ab'.repeat(5_000),
];

const TEXT = [
  '', ' ', '  ', 'a', 'A', 'b', 'apple', 'Apple', 'APPLE', 'apple ', 'banana', 'a b', 'z', 'zz',
  'Zoë', 'Zoe\u0308', 'é', 'e\u0301', 'ß', 'İ', 'Ω', 'Ä', 'ä', '日本', '中文字符', '한국어', 'שלום', 'مرحبا',
  '😀', '😀😀', '👨\u200d👩\u200d👧', '\uFF21', '\uFF41', '\u00A0', 'tab\there', 'line\nbreak', "O'Brien",
  '"quoted"', 'back\\slash', 'x,y', '%_', 'null', 'NULL', 'abcdefghijklmnop', 'abcdefghijklmnoq',
];

const NUMERIC_TEXT = [
  '0', '1', '-7', ' 42 ', '\t7\n', '+5', '007', '1.9', '-1.9', '.5', '-.5', '1.', '1e3', '1.5E-3', '-2.5e+2',
  '2147483647', '2147483648', '-2147483648', '-2147483649', '99999999999', 'NaN', 'nan', 'Infinity',
  '-inf', 'INF', '+Infinity', '1.5d', '2f', '1e400', 'true', 'False', 'yes', 'N', 't', '0.0', '-0',
  'abc', '', ' ', '1,5', '0x10', '١٢', '1 2', '--1', '+', '-', '.', 'e5', '1e', '١',
];

const KEY_TEXT = ['', 'a', 'A', 'b', 'apple', 'Zoë', 'Zoe\u0308', '日本', '😀', '\uFF21', ' ', 'x', LONG_X, 'x'.repeat(9_999) + 'y'];

/** Every value a flavour can produce (NULL aside). */
export function pool(f: Flavor): readonly unknown[] {
  switch (f) {
    case 'int32-small': return range(-12, 12);
    case 'int32-edge': return [0, 1, -1, 2, -2, 7, 100, -100, 65_536, I32_MAX, I32_MIN, I32_MAX - 1, I32_MIN + 1, 46_341, -46_341];
    case 'int64-small': return [...range(-12, 12), 1000, -1000, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), I32_MAX, I32_MIN, 123_456_789];
    case 'int64-wide': return [0, 1, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 40 + 7, -(2 ** 45) - 3, 9_007_199_254_740_000, 2 ** 31, I32_MIN - 1];
    case 'float-exact': return [0, -0, 0.25, -0.25, 0.5, 1, -1, 1.5, 2, -2.75, 3.25, 10, -10, 64, -64, 12.5, NaN, NEGATIVE_NAN, PAYLOAD_NAN, Infinity, -Infinity];
    case 'float-wild': return [
      0, -0, 0.1, 0.2, 0.3, 1 / 3, -2 / 3, 1e300, -1e300, 1e-300, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE,
      2147483647.5, -2147483648.9, 2147483648, 9.3e18, -9.3e18, 1e15 + 0.3, 123456.789, -1.5, 2.5, NaN, NEGATIVE_NAN, Infinity, -Infinity,
    ];
    case 'string-text': return [...TEXT, ...LONG_STRINGS];
    case 'string-numeric': return NUMERIC_TEXT;
    case 'string-key': return KEY_TEXT;
    case 'boolean': return [true, false];
    case 'date': return [
      -25_567, -1, 0, 1, 11_016, 11_017, 19_722, ...range(19_723, 19_760), 20_000, 2_932_896, -719_162 + 366,
    ];
    case 'timestamp': return [
      0, -1, -500, 1, 999, 1_000, 1_704_067_200_000, 1_704_067_200_001, 1_704_067_200_120, 1_704_067_199_999,
      ...range(0, 30).map((h) => 1_704_067_200_000 + h * 3_600_000 + (h % 4) * 250),
      -2_208_988_800_000, 951_782_400_000, 253_402_300_799_999, 19_723 * MS_DAY - 1,
    ];
  }
}

/**
 * A column's value source: a domain drawn from the flavour's pool (small domains make
 * duplicate keys), a NULL rate, and sometimes a hot value most rows share (skew).
 */
export interface ValueSource {
  readonly flavor: Flavor;
  readonly domain: readonly unknown[];
  readonly nullRate: number;
  /** The value a skewed column repeats, and how often. */
  readonly hot: unknown;
  readonly hotRate: number;
}

export function valueSource(r: Rand, f: Flavor, shared?: readonly unknown[]): ValueSource {
  const all = pool(f);
  let domain: unknown[];
  if (shared) {
    // A join key: mostly the world's shared values, plus a few of this table's own.
    domain = [...shared, ...r.subset(all, 0, 2)];
  } else {
    const size = r.weighted<number>([[1, 1], [2, 2], [5, 3], [12, 3], [all.length, 4]]);
    domain = r.subset(all, size, size);
  }
  const nullRate = r.weighted<number>([[0, 4], [0.1, 4], [0.5, 1], [1, 0.4]]);
  const skewed = r.chance(0.25);
  return { flavor: f, domain, nullRate, hot: skewed ? r.pick(domain) : null, hotRate: skewed ? r.pick([0.5, 0.9]) : 0 };
}

/** One value of a source (null included). */
export function drawValue(r: Rand, s: ValueSource): unknown {
  if (r.chance(s.nullRate)) return null;
  if (s.hotRate > 0 && r.chance(s.hotRate)) return s.hot;
  return r.pick(s.domain);
}

// ---------------------------------------------------------------- what sums may assume

/** Binary fraction digits of x (0 for integers), Infinity when it is not a short dyadic fraction. */
export function fracBits(x: number): number {
  if (!Number.isFinite(x)) return 0;
  for (let f = 0; f <= 16; f++) {
    if (Number.isInteger(x * 2 ** f)) return f;
  }
  return Infinity;
}

/** The largest finite magnitude and the most fraction bits among numbers. */
export function numericMeta(values: readonly unknown[]): { bound: number; frac: number } {
  let bound = 0, frac = 0;
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    bound = Math.max(bound, Math.abs(v));
    frac = Math.max(frac, fracBits(v));
  }
  return { bound, frac };
}

/** A literal of a type for expressions: mostly from the column's own domain, sometimes any pool value. */
export function literalFor(r: Rand, t: TypeName, domain: readonly unknown[] | null): unknown {
  if (domain && domain.length > 0 && r.chance(0.7)) return r.pick(domain);
  const flavors = FLAVORS_OF[t];
  return r.pick(pool(r.pick(flavors)));
}
