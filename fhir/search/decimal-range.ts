// Decimals as written, with the range their precision implies.
// http://hl7.org/fhir/R4/search.html#number: "100" means [99.5, 100.5), "1e2" the same with one
// significant digit (50..150), "100.00" means [99.995, 100.005). Arithmetic is done on scaled
// BigInts so that no binary floating point error leaks into the bounds.

export interface DecimalRange {
  /** The value in plain decimal notation (exponent expanded). */
  value: string;
  low: string;
  high: string;
}

const decimalPattern = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Parses a decimal (as written, or a JSON number) into its value and implicit precision range. */
export function decimalRange(input: string | number): DecimalRange | undefined {
  const text = typeof input === 'number' ? numberText(input) : input.trim();
  if (text === undefined) return undefined;
  const m = decimalPattern.exec(text);
  if (!m) return undefined;
  const negative = m[1] === '-';
  const intPart = m[2]!;
  const fracPart = m[3] ?? '';
  const exponent = m[4] ? Number(m[4]) : 0;
  // value = digits × 10^-(scale); precision unit = 10^-(scale) (10^(exponent) for "1e2").
  const digits = BigInt(intPart + fracPart) * (negative ? -1n : 1n);
  const scale = Math.min(fracPart.length - exponent, 1000);
  if (scale < 0) {
    // "1e2": the precision unit is 10^2, so scale the digits up instead of placing a point.
    const mult = 10n ** BigInt(-scale);
    return {
      value: formatScaled(digits * mult, 0),
      low: formatScaled((digits * 10n - 5n) * mult, 1),
      high: formatScaled((digits * 10n + 5n) * mult, 1),
    };
  }
  return {
    value: formatScaled(digits, scale),
    low: formatScaled(digits * 10n - 5n, scale + 1),
    high: formatScaled(digits * 10n + 5n, scale + 1),
  };
}

/** JSON numbers have lost their textual form; String() gives the shortest round-trip text. */
function numberText(n: number): string | undefined {
  return Number.isFinite(n) ? String(n) : undefined;
}

/** Formats `scaled × 10^-scale` in plain decimal notation. */
export function formatScaled(scaled: bigint, scale: number): string {
  const negative = scaled < 0n;
  let digits = (negative ? -scaled : scaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative ? `-${digits}` : digits;
}
