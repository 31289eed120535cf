import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { REDACTED, redacted, serverText } from '../../src/printable';

// Issue 25: a server that echoes the token it was sent must not put it in a reply or a line.
const IAM = 't1.9euelZqNkZKUk5GNy5bLjpCPm5yQmO3rnpWalpqTzZONmsaQk5eTz4_v9fQ';
const OLD_IAM = `CggVAgAAABoBMxKABAAAAA${'Qm9vazEyMzQ1Njc4OTA'.repeat(4)}`;
const OAUTH = 'y0_AgAAAAAGPn5WAATuwQAAAADiWxRFWNYIp7oNT4aB3lVvHN8VgYHEb6c';
const API_KEY = 'AQVNy7vKr2X1aBcDeFgHiJkLmNoPqRsTuV';
const JWT = 'eyJhbGciOiJQUzI1NiJ9.eyJpc3MiOiJhamUxMjMiLCJhdWQiOiJodHRwczovL2lhbSJ9.c2lnbmF0dXJl';

describe('redaction of what looks like a secret', () => {
  it.each([
    ['an IAM token', `token ${IAM} is invalid`, `token ${REDACTED} is invalid`],
    ['an IAM token of the older form', `bad ${OLD_IAM}`, `bad ${REDACTED}`],
    ['an OAuth token', `oauth ${OAUTH}.`, `oauth ${REDACTED}.`],
    ['an API key', `Api-Key ${API_KEY}`, `Api-Key ${REDACTED}`],
    ['a JWT', `jwt=${JWT}`, `jwt=${REDACTED}`],
    ['whatever follows Bearer', 'Authorization: Bearer abc.def-123', `Authorization: ${REDACTED}`],
  ])('hides %s', (_what, text, expected) => {
    expect(redacted(text)).toBe(expected);
  });

  it.each([
    ['an operation id', 'operation fd8abcdefghij0123456 not found'],
    ['a folder id and a request id', 'folder b1g0123456789abcdef; request 5e3c7a0e-1c2d-4f5e-8a9b'],
    ['a status name', 'permission denied (PERMISSION_DENIED)'],
    ['a short t1 word', 't1.5 s elapsed'],
    ['a long run of one letter, as a cut description is', `Create ${'d'.repeat(100)}…`],
  ])('leaves %s as it is', (_what, text) => {
    expect(redacted(text)).toBe(text);
  });

  it('redacts before it cuts, so no prefix of a token is left behind', () => {
    const text = `${'x'.repeat(20)} ${IAM}`;
    const shown = serverText(text, 40);
    expect(shown).not.toContain('t1.9eu');
    expect(shown).toBe(`${'x'.repeat(20)} ${REDACTED}`);
  });

  it('keeps a log line JSON, with the token gone from every field it came in by', () => {
    const lines: string[] = [];
    const log = createLogger((line) => lines.push(line));
    log.log('ERROR', `refused ${IAM}`, {
      error: { message: `Bearer ${IAM}`, cause: { details: [API_KEY] } },
      reason: `"quoted ${OAUTH}"`,
    });
    const [line = ''] = lines;
    expect(line).not.toMatch(/t1\.9eu|AQVNy7|y0_AgAA/);
    expect(JSON.parse(line)).toMatchObject({
      msg: `refused ${REDACTED}`,
      error: { message: REDACTED, cause: { details: [REDACTED] } },
      reason: `"quoted ${REDACTED}"`,
    });
  });
});
