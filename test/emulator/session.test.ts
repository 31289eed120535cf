import { describe, expect, it } from 'vitest';
import { readTestPki } from '../../emulator/pki';
import { openSession, realInstance } from '../../emulator/session';

const TOKEN = 't1.operator-own';
const INVOKE_URL = 'http://127.0.0.1:9/functions';
/** An operator's shell, with an invoke URL left over from some other work. */
const SHELL = {
  YC_IAM_TOKEN: TOKEN,
  YC_OPERATION_ENDPOINT: 'operation.example:443',
  YC_FUNCTIONS_INVOKE_URL: INVOKE_URL,
} as const;

describe('the instance --real starts', () => {
  it("trusts the operator's own CA settings, never the emulator's checked-in test CA", () => {
    const own = { NODE_EXTRA_CA_CERTS: '/etc/ssl/corp-ca.pem' };
    expect(realInstance({ cancel: false, env: SHELL }).env).not.toHaveProperty(
      'NODE_EXTRA_CA_CERTS',
    );
    const instance = realInstance({ cancel: false, env: { ...SHELL, ...own } });
    expect(instance.env).toMatchObject(own);
    expect(Object.values(instance.env)).not.toContain(readTestPki().caFile);
  });

  it('without --fan-out names no function and gets no invoke URL, so it hands nothing on', () => {
    const instance = realInstance({ cancel: false, env: SHELL });
    expect(instance.functionId).toBeNull();
    expect(instance.env).not.toHaveProperty('YC_FUNCTIONS_INVOKE_URL');
    expect(instance.env).toMatchObject({
      YC_OPERATION_ENDPOINT: 'operation.example:443',
      DRY_RUN: 'true',
    });
    expect(Object.values(instance.env)).not.toContain(TOKEN);
    expect(instance.notes).toContainEqual(expect.stringMatching(/^fan-out: off, /));
  });

  it('with --fan-out names that function, gets the invoke URL and says the token goes there', () => {
    const instance = realInstance({ cancel: true, fanOut: 'd4edeployed0001', env: SHELL });
    expect(instance.functionId).toBe('d4edeployed0001');
    expect(instance.env.YC_FUNCTIONS_INVOKE_URL).toBe(INVOKE_URL);
    // function.yaml's DRY_RUN=false stands: --cancel asked for it.
    expect(instance.env.DRY_RUN).toBe('false');
    expect(instance.notes).toContainEqual(
      `fan-out: a sweep of more than SWEEP_FANOUT_FOLDERS folders hands each on to function d4edeployed0001 at ${INVOKE_URL}, with your token`,
    );
  });

  it("with --fan-out and no invoke URL, names the platform's", () => {
    const instance = realInstance({ cancel: false, fanOut: 'd4edeployed0001', env: {} });
    expect(instance.env).not.toHaveProperty('YC_FUNCTIONS_INVOKE_URL');
    expect(instance.notes).toContainEqual(
      expect.stringContaining('to function d4edeployed0001 at https://functions.yandexcloud.net,'),
    );
  });

  it('refuses, before anything starts, an invoke URL the function would refuse', () => {
    const env = { ...SHELL, YC_FUNCTIONS_INVOKE_URL: 'ftp://127.0.0.1/functions' };
    expect(() => realInstance({ cancel: false, fanOut: 'd4edeployed0001', env })).toThrow(
      /^YC_FUNCTIONS_INVOKE_URL must be /,
    );
  });
});

describe('a --real session', () => {
  it('asks for a token when it has none, before the function starts', async () => {
    // No YC_IAM_TOKEN, and no yc CLI on the PATH to make one.
    const env = { YC_IAM_TOKEN: '', PATH: '/nonexistent' };
    const opened = openSession({ real: true, cancel: false, env, onLogLine: () => {} });
    await expect(opened).rejects.toThrow(/set YC_IAM_TOKEN/);
  });
});
