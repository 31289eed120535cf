import { createHash } from 'node:crypto';
import { ENDPOINT_SETTINGS, SETTING_NAMES } from '../../../deploy-api';

/**
 * The function's settings (README, Configuration) whose values are numbers, switches, ids or
 * endpoints: the plan shows these in full, since a reviewer has to see where the token goes and
 * how far a sweep reaches. They are the function's own table's plain ones, which names its
 * secrets and URLs (a URL can carry a password) apart, so none of those is shown by accident.
 */
export const PLAIN_SETTINGS = [...SETTING_NAMES.plain, ...Object.values(ENDPOINT_SETTINGS)];
const PLAIN: ReadonlySet<string> = new Set(PLAIN_SETTINGS);

/** Anywhere in a name, these say it holds a credential. */
const SECRET_PARTS = ['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'CREDENTIAL', 'WEBHOOK'] as const;
/** As a whole word only: KEY in MONKEY or KEYBOARD says nothing. */
const SECRET_WORDS = ['KEY', 'KEYS', 'APIKEY', 'PWD'] as const;
/** A limit on secrets is a number, not one: MAX_TOKENS, MIN_KEY_AGE. */
const LIMIT_PREFIX = /^(MAX|MIN)_/;

/** `HTTP_API_KEY`, `apiKey`, `NotifyWebhookUrl` as upper-case words. */
const words = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split('_')
    .filter(Boolean);

/**
 * What in a variable's name says it holds a secret (`KEY`, `TOKEN`, …), or undefined. Such a value
 * belongs in Lockbox (`secrets:`): a plain environment value is returned by the API to anyone who
 * may read the function's versions, and ends up in plans and logs.
 */
export function secretNamePart(name: string): string | undefined {
  if (PLAIN.has(name)) return undefined;
  const upper = name.toUpperCase();
  if (LIMIT_PREFIX.test(upper)) return undefined;
  return (
    SECRET_PARTS.find((part) => upper.includes(part)) ??
    words(name).find((word) => (SECRET_WORDS as readonly string[]).includes(word))
  );
}

/**
 * 16 hex digits, 64 bits: no one can make another value with the same fingerprint to hide a change
 * from the plan, and the value cannot be read back, though a guessable one can be guessed.
 */
const FINGERPRINT_HEX = 16;

/**
 * An environment value as the plan shows it: a known plain setting in full, anything else by a
 * fingerprint only (`printf %s "$VALUE" | sha256sum` starts with it), so that a secret put in the
 * environment is not printed, saved in a plan file, or shown to whoever reviews the plan.
 */
export function shownValue(name: string, value: string): string {
  if (PLAIN.has(name)) return value;
  const fingerprint = createHash('sha256').update(value).digest('hex').slice(0, FINGERPRINT_HEX);
  return `not shown, sha256 ${fingerprint}…`;
}
