import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PLAIN_SETTINGS, secretNamePart, shownValue } from '../src/environment';

describe("the function's environment in a deployment", () => {
  it.each([
    ['HTTP_API_KEY', 'KEY'],
    ['SSH_KEYS', 'KEYS'],
    ['myApiKey', 'KEY'],
    ['APIKEY', 'APIKEY'],
    ['DB_PWD', 'PWD'],
    ['REFRESH_TOKEN', 'TOKEN'],
    ['tokenUrl', 'TOKEN'],
    ['SECRET', 'SECRET'],
    ['SMTP_PASSWORD', 'PASSWORD'],
    ['SMTP_PASSWD', 'PASSWD'],
    ['CREDENTIALS_JSON', 'CREDENTIAL'],
    ['SLACK_WEBHOOK', 'WEBHOOK'],
    ['NOTIFY_WEBHOOK_URL', 'WEBHOOK'],
    ['MAX_TOKENS', undefined],
    ['MIN_KEY_LENGTH', undefined],
    ['TURKEY', undefined],
    ['KEYBOARD', undefined],
    ['DRY_RUN', undefined],
    ['NOTIFY_TELEGRAM_CHAT_ID', undefined],
  ])('%s says it is a secret by %s', (name, part) => {
    expect(secretNamePart(name)).toBe(part);
  });

  it('calls none of the plain settings a secret', () => {
    expect(PLAIN_SETTINGS.filter((name) => secretNamePart(name) !== undefined)).toEqual([]);
  });

  const print = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 16);

  it.each([
    ['DRY_RUN', 'true', 'true'],
    ['ALLOWED_FOLDERS', 'b1ga,b1gb', 'b1ga,b1gb'],
    ['MIN_OLDER_THAN', '10m', '10m'],
    ['YC_OPERATION_ENDPOINT', 'operation.example:443', 'operation.example:443'],
    ['CUSTOM_SETTING', 'hunter2', `not shown, sha256 ${print('hunter2')}…`],
    ['YC_MONITORING_URL', 'https://u:p@host', `not shown, sha256 ${print('https://u:p@host')}…`],
    ['dry_run', 'true', `not shown, sha256 ${print('true')}…`],
  ])('shows %s=%s as %s', (name, value, shown) => {
    expect(shownValue(name, value)).toBe(shown);
  });
});
