import { createHash } from 'node:crypto';
import { ENDPOINT_SETTINGS } from '../../../deploy-api';

/**
 * The function's settings (README, Configuration) whose values are numbers, switches, ids or
 * endpoints: the plan shows these in full, since a reviewer has to
 * see where the token goes and how far a sweep reaches. Written out rather than taken from the
 * emulator's list of settings, so that a secret setting added there is never shown here by
 * accident; only the endpoints come from the function's own table, which names nothing else. The URL settings are left out: a URL can carry a password.
 */
export const PLAIN_SETTINGS = [
  'MAX_OPERATIONS',
  'CONCURRENCY',
  'MAX_CALLS_IN_FLIGHT',
  'DRY_RUN',
  'CALL_TIMEOUT_MS',
  'RETRY_ATTEMPTS',
  'RETRY_BASE_DELAY_MS',
  'TIME_MARGIN_MS',
  'MIN_AGE_SECONDS',
  'WAIT_SECONDS',
  'MAX_CANCELS_PER_RUN',
  'MAX_CANCELS_PER_INVOCATION',
  'SWEEP_FANOUT_FOLDERS',
  'ALLOWED_FOLDERS',
  'ALLOWED_CLOUDS',
  'MIN_OLDER_THAN',
  'ALLOW_ONEXCESS_OLDEST',
  'METRICS_FOLDER_ID',
  'NOTIFY_FORMAT',
  'NOTIFY_TELEGRAM_CHAT_ID',
  ...Object.values(ENDPOINT_SETTINGS),
] as const;
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
