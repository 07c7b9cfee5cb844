// Code 128 barcodes as SVG, for the member card's dynamic code: cashier scanners read Code 128
// everywhere. Digit strings of even length use code set C (two digits a symbol, a narrow code);
// anything else printable uses set B.

// Bar/space widths of symbol values 0–106 (ISO/IEC 15417); 106 is the stop, with its final bar.
const PATTERNS = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
];
const START_B = 104;
const START_C = 105;
const STOP = 106;

/** Symbol values of the text, start and checksum included, stop excluded. */
export function code128Values(text: string): number[] {
  if (!text.length) throw new Error('code128: empty text');
  let values: number[];
  if (/^([0-9]{2})+$/.test(text)) {
    values = [START_C];
    for (let i = 0; i < text.length; i += 2) values.push(Number(text.slice(i, i + 2)));
  } else {
    if (!/^[\x20-\x7e]+$/.test(text)) throw new Error('code128: only printable ASCII');
    values = [START_B, ...[...text].map((c) => c.charCodeAt(0) - 32)];
  }
  const checksum = values.reduce((sum, value, i) => sum + value * Math.max(i, 1), 0) % 103;
  return [...values, checksum];
}

/** Module widths, bar first, alternating bar and space, quiet zones excluded. */
export function code128Widths(text: string): number[] {
  return [...code128Values(text), STOP].flatMap((v) => [...PATTERNS[v]!].map(Number));
}

export function code128Svg(text: string, options: { moduleWidth?: number; height?: number } = {}): string {
  const module = options.moduleWidth ?? 2;
  const height = options.height ?? 64;
  const quiet = 10;
  let x = quiet;
  const bars: string[] = [];
  code128Widths(text).forEach((w, i) => {
    if (i % 2 === 0) bars.push(`<rect x="${x * module}" y="0" width="${w * module}" height="${height}"/>`);
    x += w;
  });
  const width = (x + quiet) * module;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" height="${height}" preserveAspectRatio="none" role="img" aria-label="barcode"><rect width="${width}" height="${height}" fill="#fff"/><g fill="#000">${bars.join('')}</g></svg>`;
}
