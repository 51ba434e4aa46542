import argon2 from 'argon2';

const COMMON = new Set([
  'password',
  'password1',
  'password123',
  '123456789',
  '1234567890',
  'qwertyuiop',
  'iloveyou',
  'letmein123',
  'welcome123',
  'changeme123',
  'administrator',
  'switchboard',
]);

/** Problems with a new password; empty when it is acceptable. */
export function passwordProblems(password: string, email: string): string[] {
  const problems: string[] = [];
  if (password.length < 10) problems.push('use at least 10 characters');
  if (password.length > 200) problems.push('use at most 200 characters');
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) problems.push('this password is too common');
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 3 && lower.includes(local)) problems.push('do not include your email address');
  if (new Set(password).size < 4) problems.push('use more different characters');
  return problems;
}

/** argon2id with the library's recommended parameters. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
