// Jaro and Jaro–Winkler similarity (Winkler 1990, as used by the US Census for name matching):
// tolerant of the transpositions and dropped letters typical of names typed at a counter, and
// kinder to strings that agree at the start, where people rarely mistype.
// Characters are Unicode code points, so Chinese names compare character by character.

export function jaro(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0 && t.length === 0) return 1;
  if (s.length === 0 || t.length === 0) return 0;

  // Characters match only within this distance, so that a shared letter at the far end of a long
  // string is not counted as agreement.
  const window = Math.max(0, Math.floor(Math.max(s.length, t.length) / 2) - 1);
  const sMatched = new Array<boolean>(s.length).fill(false);
  const tMatched = new Array<boolean>(t.length).fill(false);
  let matches = 0;
  for (let i = 0; i < s.length; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(t.length - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (tMatched[j] || s[i] !== t[j]) continue;
      sMatched[i] = true;
      tMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;

  // Half the matched characters that appear in a different order.
  let outOfOrder = 0;
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    if (!sMatched[i]) continue;
    while (!tMatched[j]) j++;
    if (s[i] !== t[j]) outOfOrder++;
    j++;
  }
  const transpositions = outOfOrder / 2;
  return (matches / s.length + matches / t.length + (matches - transpositions) / matches) / 3;
}

// Winkler's constants: a common prefix of up to 4 characters, scaled by 0.1, and the boost only
// above 0.7 so that unrelated strings sharing a first letter are not lifted.
const PREFIX_LIMIT = 4;
const PREFIX_SCALE = 0.1;
const BOOST_THRESHOLD = 0.7;

export function jaroWinkler(a: string, b: string): number {
  const similarity = jaro(a, b);
  if (similarity <= BOOST_THRESHOLD) return similarity;
  const s = Array.from(a);
  const t = Array.from(b);
  let prefix = 0;
  while (prefix < PREFIX_LIMIT && prefix < s.length && prefix < t.length && s[prefix] === t[prefix]) prefix++;
  return similarity + prefix * PREFIX_SCALE * (1 - similarity);
}
