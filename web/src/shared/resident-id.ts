// Early feedback on the sign-up form: whether a resident ID (公民身份号码, GB 11643-1999) is well
// formed — 17 digits, a real birth date in positions 7–14, and the ISO 7064 MOD 11-2 check character.
// The server decides (server/identity/resident-id.ts); the browser must not import server code, and
// test/web/resident-id.test.ts holds the two to the same answers.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

export function looksLikeResidentId(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const [year, month, day] = [id.slice(6, 10), id.slice(10, 12), id.slice(12, 14)].map(Number) as [number, number, number];
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (year < 1800 || birth.getUTCFullYear() !== year || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day) return false;
  const sum = WEIGHTS.reduce((s, w, i) => s + w * Number(id[i]), 0);
  const check = (12 - (sum % 11)) % 11;
  return id[17] === (check === 10 ? 'X' : String(check));
}
