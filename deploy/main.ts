import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildIfNeeded, ROOT } from '../emulator/build-if-needed';
import { deployToken } from './auth';
import { connect, DEFAULT_ENDPOINTS, DeployError } from './cloud';
import { codeOf } from './code';
import { loadManifest, ManifestError, manifestWarnings } from './manifest';
import { formatPlan, type Plan, planDeployment } from './plan';

const USAGE = `usage: npm run deploy -- [--dry-run] [--json] [--manifest function.yaml]
  makes the cloud match function.yaml: the function, a new version when the code or its settings
  changed, its access, and its triggers. --dry-run prints the plan and stops; --json prints it
  as JSON.
credentials: YC_IAM_TOKEN (for example YC_IAM_TOKEN=$(yc iam create-token)), or
  YC_SERVICE_ACCOUNT_KEY_FILE (yc iam key create --output key.json), or YC_METADATA_TOKEN_URL on a VM
endpoints: YC_FUNCTIONS_ENDPOINT, YC_TRIGGERS_ENDPOINT, YC_OPERATION_ENDPOINT,
  YC_RESOURCE_MANAGER_ENDPOINT (the public ones by default)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      manifest: { type: 'string', default: path.join(ROOT, 'function.yaml') },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const manifest = loadManifest(values.manifest as string);
  // On stderr, so that --json keeps stdout for the plan alone.
  for (const warning of manifestWarnings(manifest)) console.error(`WARNING: ${warning}`);
  buildIfNeeded();
  const zip = readFileSync(path.resolve(ROOT, manifest.source));
  const code = codeOf(zip);
  const token = await deployToken(process.env);

  /** The plan, as text or JSON; a plan with refusals is never carried out. */
  const show = (heading: string, plan: Plan, state: 'unknown' | 'new' | 'existing') => {
    if (values.json) console.log(JSON.stringify({ state, ...plan }, null, 2));
    else console.log(`${heading}\n${formatPlan(plan, manifest)}`);
    return plan.refusals.length === 0;
  };

  if (!token) {
    if (!values['dry-run']) {
      console.error(
        'npm run deploy: no credentials: set YC_IAM_TOKEN or YC_SERVICE_ACCOUNT_KEY_FILE, or use --dry-run to see the plan',
      );
      return 1;
    }
    show(
      `${values.manifest} is valid. The current state could not be read (no credentials: set YC_IAM_TOKEN or YC_SERVICE_ACCOUNT_KEY_FILE), so this plan assumes nothing of it exists yet:`,
      planDeployment(manifest, code.unpackedBytes),
      'unknown',
    );
    return 0;
  }
  const env = process.env;
  const cloud = connect(
    {
      functions: env.YC_FUNCTIONS_ENDPOINT || DEFAULT_ENDPOINTS.functions,
      triggers: env.YC_TRIGGERS_ENDPOINT || DEFAULT_ENDPOINTS.triggers,
      operations: env.YC_OPERATION_ENDPOINT || DEFAULT_ENDPOINTS.operations,
      resourceManager: env.YC_RESOURCE_MANAGER_ENDPOINT || DEFAULT_ENDPOINTS.resourceManager,
    },
    token,
  );
  try {
    const current = await cloud.readState(manifest);
    const plan = planDeployment(
      manifest,
      code.unpackedBytes,
      current,
      await cloud.readInheritedAccess(manifest),
    );
    const heading = current
      ? `plan for ${manifest.name}:`
      : `${manifest.name} does not exist yet; plan:`;
    if (!show(heading, plan, current ? 'existing' : 'new')) {
      console.error('npm run deploy: refused; nothing was changed');
      return 1;
    }
    if (values['dry-run'] || plan.steps.length === 0) return 0;
    const done = await cloud.apply(manifest, plan, zip, current);
    const report = `deployed ${manifest.name}:\n${done.map((line) => `  ${line}`).join('\n')}`;
    // With --json, stdout is the plan alone, for a machine to read.
    (values.json ? console.error : console.log)(report);
    return 0;
  } finally {
    cloud.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ManifestError || error instanceof DeployError)
      console.error(error.message);
    else console.error(`npm run deploy: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
