// Password storage and policy. Hashes are argon2id with the OWASP Password Storage Cheat Sheet's
// minimum configuration: 19 MiB of memory, 2 iterations, parallelism 1. The policy follows
// NIST SP 800-63B §5.1.1.2: a minimum length, no composition rules, and a check against
// passwords known to be common.
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

const parameters = {
  type: argon2.argon2id,
  memoryCost: 19 * 1024, // KiB
  timeCost: 2,
  parallelism: 1,
} as const;

const minLength = 10;
// An upper bound keeps a request from making the server hash megabytes (the hash input is not
// bounded by argon2 itself); 256 leaves room for any passphrase or password manager.
const maxLength = 256;

// The most common passwords of at least the minimum length, from published breach-corpus top
// lists (including the pinyin and numeric favourites of Chinese users, e.g. woaini1314 "I love
// you for a lifetime"). Shorter common passwords are already refused by the length rule.
const commonPasswords = new Set([
  '0123456789', '1234567890', '9876543210', '0987654321', '1111111111', '0000000000', '1234512345',
  '1122334455', '1111122222', '1234554321', '123456789a', 'a123456789', '1234567890a', 'a1234567890',
  'aa123456789', 'abc1234567', 'abcd123456', 'abcde12345', 'abcdefghij', 'qwertyuiop', 'qwerty1234',
  'qwerty12345', 'qwerty123456', '1q2w3e4r5t', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'zaq12wsxcde3', 'qazwsxedcrfv',
  'zxcvbnm123', 'asdfghjkl1', 'asdfghjkl;', '1234qwerasdf', 'qweasdzxc123', 'password12', 'password123',
  'password1234', 'passw0rd123', 'p@ssw0rd123', 'p@ssword123', 'password!23', 'iloveyou12', 'iloveyou123',
  'welcome123', 'letmein123', 'admin12345', 'admin123456', 'administrator', 'changeme123', 'football123',
  'baseball123', 'sunshine123', 'princess123', 'superman123', 'dragon1234', 'monkey1234', 'qq123456789',
  'woaini1314', 'woaini520', 'woaini1314520', '5201314520', '1314520520', 'wo123456789', 'zhang123456',
  'wang123456', 'li123456789', 'openhis123', 'openhis1234', 'hospital123', 'doctor1234', 'nurse12345',
]);

// NIST SP 800-63B §5.1.1.2: normalise Unicode (NFKC) before hashing, so the same password typed
// with a full-width or a half-width keyboard layout is the same password.
function normalise(plain: string): string {
  return plain.normalize('NFKC');
}

/** An argon2id PHC string ($argon2id$v=19$m=19456,p=1,t=2$salt$hash) with a fresh random salt. */
export async function hashPassword(plain: string): Promise<string> {
  return argon2.hash(normalise(plain), parameters);
}

/** Whether `plain` matches `hash`. A malformed or foreign hash is a non-match, never an exception. */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  if (typeof hash !== 'string' || typeof plain !== 'string') return false;
  try {
    return await argon2.verify(hash, normalise(plain));
  } catch {
    return false;
  }
}

/** True when a stored hash was made with weaker parameters than today's: rehash after a successful log-in. */
export function passwordNeedsRehash(hash: string): boolean {
  try {
    return !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, parameters);
  } catch {
    return true;
  }
}

let dummy: Promise<string> | undefined;

/**
 * The hash dummyVerify checks against, made once with today's parameters: argon2's cost is set by
 * the parameters in the hash (memory, iterations, parallelism), so checking against it costs what
 * checking a real account's hash costs.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('base64url'));
  return dummy;
}

/**
 * Spend the time of a real verification and answer false. Call it when the account does not exist,
 * so the answer time does not tell an attacker which accounts exist (OWASP Authentication Cheat
 * Sheet, "Authentication and Error Messages"). The first call spends its time making the dummy hash.
 */
export async function dummyVerify(): Promise<false> {
  if (!dummy) {
    await dummyHash();
    return false;
  }
  await verifyPassword(await dummy, randomBytes(16).toString('base64url'));
  return false;
}

/**
 * Why a new password is not acceptable, or null when it is. `context` lists words tied to the
 * account (e-mail, phone, name) that must not be the password (NIST SP 800-63B §5.1.1.2,
 * "context-specific words").
 */
export function passwordProblem(plain: string, context: readonly string[] = []): string | null {
  if (typeof plain !== 'string') return 'A password is required';
  const password = normalise(plain);
  const length = [...password].length;
  if (length < minLength) return `A password needs at least ${minLength} characters`;
  if (length > maxLength) return `A password may have at most ${maxLength} characters`;
  if (new Set(password).size === 1) return 'A password must not be a single character repeated';
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) return 'This password is among the most common ones and is easily guessed';
  for (const word of context) {
    const contextWord = normalise(word).toLowerCase();
    if (!contextWord) continue;
    const localPart = contextWord.split('@')[0] ?? '';
    if (lower === contextWord || (localPart.length >= 3 && lower === localPart)) return 'A password must not be your account name, e-mail address or phone number';
  }
  return null;
}
