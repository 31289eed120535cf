import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runScript, WITHOUT_CREDENTIALS } from '../support/run-script';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const deploy = (args: string[]) => runScript('deploy/main.ts', args, WITHOUT_CREDENTIALS);

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
  });

  it('refuses to deploy for real', async () => {
    const { code, stderr } = await deploy([]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no credentials: set YC_IAM_TOKEN/);
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
});
