// Citizen identification number (公民身份号码), GB 11643-1999.
// Layout: 6-digit address code (GB/T 2260 administrative division), 8-digit birth date
// YYYYMMDD, 3-digit sequence (odd for men, even for women), 1 check character.
// The check character is ISO 7064:1983 MOD 11-2: weights Wi = 2^(17-i) mod 11 for positions
// i = 0..16 (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2), S = Σ ai·Wi, and the check value is
// (12 - S mod 11) mod 11, written 0-9 or 'X' for 10. The standard's worked example is
// 11010519491231002X.

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

/** The check character for the first 17 digits of a resident ID. */
export function residentIdCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('a resident ID body is 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (weights[i] as number);
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/** The birth date (YYYY-MM-DD) in positions 7-14 of an ID, or null when it is no calendar date. */
export function residentIdBirthDate(id: string): string | null {
  if (!/^\d{14}/.test(id)) return null;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  const realDate = year >= 1800 && date.getUTCFullYear() === year
    && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return realDate ? `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}` : null;
}

/** True for an 18-character ID with a real calendar birth date and a correct check character. */
export function isValidResidentId(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  return residentIdBirthDate(id) !== null && residentIdCheckDigit(id.slice(0, 17)) === id[17];
}

/** Build a full ID; `sequence` is the 3-digit order code whose parity carries the sex. */
export function makeResidentId(areaCode: string, birthDate: string, sequence: number): string {
  const body = `${areaCode}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return body + residentIdCheckDigit(body);
}
