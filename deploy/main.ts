import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildIfNeeded, ROOT } from '../emulator/build-if-needed';
import { loadManifest, ManifestError } from './manifest';
import { formatPlan, planDeployment } from './plan';

const USAGE = `usage: npm run deploy -- [--dry-run] [--manifest function.yaml]
  makes the cloud match function.yaml: the function, a new version when the code or its settings
  changed, its access, and its triggers. --dry-run prints the plan and stops.
credentials: YC_IAM_TOKEN (for example YC_IAM_TOKEN=$(yc iam create-token))`;

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean' },
      manifest: { type: 'string', default: path.join(ROOT, 'function.yaml') },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const manifest = loadManifest(values.manifest as string);
  buildIfNeeded();
  const code = sha256(path.resolve(ROOT, manifest.source));
  const token = process.env.YC_IAM_TOKEN?.trim();

  if (!token) {
    if (!values['dry-run']) {
      console.error(
        'npm run deploy: no credentials: set YC_IAM_TOKEN, or use --dry-run to see the plan',
      );
      return 1;
    }
    console.log(
      `${values.manifest} is valid. The current state could not be read (no credentials: set YC_IAM_TOKEN), so this plan assumes nothing of it exists yet:`,
    );
    console.log(formatPlan(planDeployment(manifest, code), manifest));
    return 0;
  }
  console.error('npm run deploy: deploying with credentials is not built yet; use --dry-run');
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ManifestError) console.error(error.message);
    else console.error(`npm run deploy: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
