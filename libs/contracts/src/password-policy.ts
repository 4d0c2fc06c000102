/**
 * Password policy of agent accounts (ANSSI's advice for a password alone: long, not a common
 * one): at least 10 characters, at most 200, not in a list of the most used passwords (French
 * and international leaks), not the account's e-mail address.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

/** The most used passwords of 10 characters or more (lower-cased), from public leak rankings. */
const COMMON = new Set([
  '1234567890',
  '0123456789',
  '12345678910',
  '123456789a',
  'a123456789',
  '1234567890a',
  '123456789azerty',
  'azertyuiop',
  'azertyuiop1',
  'azertyuiop123',
  'azerty1234',
  'azerty12345',
  'azerty123456',
  'azertyazerty',
  'qwertyuiop',
  'qwertyuiop1',
  'qwerty1234',
  'qwerty12345',
  'qwerty123456',
  '1q2w3e4r5t',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'q1w2e3r4t5',
  'a1b2c3d4e5',
  'abcdefghij',
  'abcd123456',
  'abc1234567',
  'password12',
  'password123',
  'password1234',
  'password!1',
  'passw0rd123',
  'motdepasse',
  'motdepasse1',
  'motdepasse123',
  'motdepasse!',
  'bonjour123',
  'bonjour1234',
  'soleil1234',
  'chocolat123',
  'doudou1234',
  'marseille13',
  'iloveyou123',
  'football123',
  'baseball123',
  'superman123',
  'welcome123',
  'welcome1234',
  'administrator',
  'administrateur',
  'admin12345',
  'admin123456',
  'adminadmin',
  'changeme123',
  'letmein123',
  'trustno1234',
  'qazwsxedc123',
  'zaq12wsxcde3',
  '0000000000',
  '1111111111',
  '2222222222',
  '5555555555',
  '6666666666',
  '7777777777',
  '8888888888',
  '9999999999',
  '1212121212',
  '9876543210',
  '0987654321',
  '1029384756',
  '147258369a',
  '1122334455',
  '1234512345',
  '1234554321',
  'mairie2024',
  'mairie2025',
  'mairie2026',
  'mairie1234',
  'guichet123',
  'guichet2026',
  'bienvenue1',
  'bienvenue12',
  'bienvenue123',
  'jesuislaville',
  'ville123456',
]);

/**
 * Why `password` is refused, in French (the message the API and the screens show), or null
 * when it is acceptable. `email`: the account's address, refused as a password.
 */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `le mot de passe doit contenir au moins ${PASSWORD_MIN_LENGTH} caractères`;
  if (password.length > PASSWORD_MAX_LENGTH) return `le mot de passe doit contenir au plus ${PASSWORD_MAX_LENGTH} caractères`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || /^(.)\1+$/.test(password)) return 'ce mot de passe est trop courant : choisissez-en un autre';
  if (email && (lower === email.toLowerCase() || lower === email.toLowerCase().split('@')[0]))
    return 'le mot de passe ne doit pas être votre adresse e-mail';
  return null;
}
