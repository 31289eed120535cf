import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runScript, WITHOUT_CREDENTIALS } from '../../../test/support/index';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const deploy = (args: string[]) => runScript('tools/deploy/src/main.ts', args, WITHOUT_CREDENTIALS);

describe('npm run deploy without credentials', () => {
  it('--dry-run validates function.yaml and prints what it would deploy, saying the state is unknown', async () => {
    const { code, stdout, stderr } = await deploy(['--dry-run']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(
      /function\.yaml is valid\. The current state could not be read \(no credentials/,
    );
    expect(stdout).toContain(
      '+ create function operation-canceller in folder b1gexamplefolder0001',
    );
    expect(stdout).toContain('+ create timer trigger operation-canceller-sweep');
    expect(stdout).toContain('= private access');
    // Every setting a reviewer checks before it is made, from function.yaml.
    for (const line of [
      '    + runtime: nodejs22',
      '    + entrypoint: index.handler',
      '    + memory: 128 MB',
      '    + timeout: 60 s',
      '    + service account: ajefunctionsa0000001',
      'scope: folders b1gexamplefolder0001',
      '    + environment MAX_CANCELS_PER_RUN: 20',
      '    + environment MIN_OLDER_THAN: 10m',
      '    + secret HTTP_API_KEY: Lockbox e6qexamplesecret0001 version e6qexampleversion001, key http-api-key',
      '    + schedule: 0/15 * ? * * * (UTC)',
      '    + payload: {"sweep": {"folderId": "b1gexamplefolder0001", "olderThan": "30m"}}',
      '    + retry: 1 attempt(s), 10 s apart',
      '    + batch: up to 10 message(s), or what came within 10 s',
      // The dashboard beside the metrics function.yaml writes, and the alerts to make by hand.
      '+ create dashboard operation-canceller in folder b1gexamplefolder0001',
      '    + chart running: Running operations by folder (quota: 15 a folder), at 18,27: "canceller.sweep.running_operations"{folderId="b1gexamplefolder0001", service="custom", folder="*"}',
      'alerts to make in the console (no API exists: terraform-provider-yandex #166, #427):',
      '  Name:                           operation-canceller: no timer run',
      '    + visibility timeout: 90 s',
    ]) {
      expect(stdout).toContain(line);
    }
  });

  it('--dry-run --json prints the plan for a machine', async () => {
    const { code, stdout, stderr } = await deploy(['--dry-run', '--json']);
    expect(code, stderr).toBe(0);
    const plan = JSON.parse(stdout);
    expect(plan).toMatchObject({
      state: 'unknown',
      refusals: [],
      warnings: [],
      scope: 'scope: folders b1gexamplefolder0001',
    });
    expect(plan.steps.map((s: { kind: string }) => s.kind)).toEqual([
      'create-function',
      'create-version',
      'create-trigger',
      'create-trigger',
      'create-dashboard',
    ]);
    expect(plan.steps[1].changes).toContainEqual({ name: 'memory', to: '128 MB' });
    expect(plan.steps[4].changes).toContainEqual({
      name: 'chart stuck',
      to: 'Stuck operations, at 18,3: "canceller.operations"{folderId="b1gexamplefolder0001", service="custom", outcome="stuck"}',
    });
    // The alerts to make by hand come with the plan, each as the console asks for it.
    expect(plan.alerts.map((a: { name: string }) => a.name)).toContain(
      'operation-canceller: no timer run',
    );
    expect(plan.alerts.find((a: { name: string }) => a.name.endsWith('stuck'))).toMatchObject({
      query:
        '"canceller.operations"{folderId="b1gexamplefolder0001", service="custom", outcome="stuck"}',
      aggregation: 'Sum',
      window: '1h',
    });
    expect(plan.alertNotes).toEqual([]);
  });

  it('refuses to deploy for real', async () => {
    const { code, stderr } = await deploy([]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no credentials: set YC_IAM_TOKEN/);
  });

  it('refuses to save a plan, which holds the state of the cloud it could not read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plan-'));
    dirs.push(dir);
    const file = path.join(dir, 'plan.json');
    const { code, stderr } = await deploy(['--dry-run', '--out', file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no credentials: .*a saved plan holds the state of the cloud/);
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    [['--out', 'plan.json'], '--out saves the plan of a dry run: use it with --dry-run'],
    [
      ['--plan', 'plan.json', '--dry-run'],
      '--plan applies a plan already saved: it takes neither --dry-run nor --out',
    ],
    [
      ['--plan', 'plan.json', '--dry-run', '--out', 'other.json'],
      '--plan applies a plan already saved: it takes neither --dry-run nor --out',
    ],
  ])('refuses %j, saying why, and exits 2', async (args, message) => {
    const { code, stderr } = await deploy(args);
    expect(code).toBe(2);
    expect(stderr).toContain(`npm run deploy: ${message}`);
    expect(stderr).toContain('usage: npm run deploy');
  });

  it('names every problem of an invalid manifest, and exits 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'manifest-'));
    dirs.push(dir);
    const file = path.join(dir, 'function.yaml');
    writeFileSync(file, 'name: Bad Name\nruntime: nodejs18\n');
    const { code, stderr } = await deploy(['--dry-run', '--manifest', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('is not a valid manifest');
    expect(stderr).toContain('runtime: expected "nodejs22", found "nodejs18"');
    expect(stderr).toContain('folderId: expected string, found nothing');
  });

  it("warns of the example's ids left in function.yaml, and still exits 0", async () => {
    const { code, stderr } = await deploy(['--dry-run']);
    expect(code, stderr).toBe(0);
    for (const line of [
      "WARNING: folderId is the example's id; replace it with your own",
      "WARNING: secrets[0].versionId is the example's id; replace it with your own",
      "WARNING: triggers[0].serviceAccountId is the example's id; replace it with your own",
      'WARNING: triggers[1].queueId names the example\'s id "b1gexamplecloud00001"; replace it with your own',
    ]) {
      expect(stderr).toContain(line);
    }
  });

  it('refuses a cron out of range and a payload the function would refuse, and exits 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'manifest-'));
    dirs.push(dir);
    const file = path.join(dir, 'function.yaml');
    writeFileSync(
      file,
      [
        'name: operation-canceller',
        'folderId: b1gfolder',
        'runtime: nodejs22',
        'entrypoint: index.handler',
        'memory: 128m',
        'timeout: 60s',
        'serviceAccountId: ajesa',
        'triggers:',
        '  - type: timer',
        '    name: sweep',
        '    cron: "99 * ? * * *"',
        '    payload: \'{"sweep": {"folderId": "b1gfolder", "olderThan": "10s"}}\'',
        '    serviceAccountId: ajesa',
        '',
      ].join('\n'),
    );
    const { code, stderr } = await deploy(['--dry-run', '--manifest', file]);
    expect(code).toBe(2);
    expect(stderr).toContain('is not a valid manifest');
    expect(stderr).toContain(
      'triggers[0].cron: minutes 99 is out of range 0-59, found "99 * ? * * *"',
    );
    expect(stderr).toContain(
      'triggers[0].payload: the function would refuse it: sweep.olderThan is "10s"',
    );
    expect(stderr).not.toContain('WARNING');
  });
});
