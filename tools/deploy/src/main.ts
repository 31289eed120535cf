import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildIfNeeded, ROOT } from '../../../deploy-api';
import { deployToken } from './auth';
import { connect, DEFAULT_ENDPOINTS, DeployError } from './cloud';
import { codeOf } from './code';
import { loadManifest, ManifestError, manifestWarnings } from './manifest';
import { formatPlan, type Plan, planDeployment } from './plan';
import {
  PLAN_FORMAT,
  plannedState,
  readSavedPlan,
  type SavedPlan,
  staleReasons,
} from './saved-plan';

const USAGE = `usage: npm run deploy -- [--dry-run [--out plan.json]] [--plan plan.json] [--json]
                         [--manifest function.yaml]
  makes the cloud match function.yaml: the function, a new version when the code or its settings
  changed, its access, and its triggers. --dry-run prints the plan and stops; with --out it saves
  it too, with the state of the cloud it was made against. --plan applies a saved plan exactly,
  or refuses, changing nothing, when function.yaml, the code or the cloud changed since. --json
  prints the plan as JSON.
credentials: YC_IAM_TOKEN (for example YC_IAM_TOKEN=$(yc iam create-token)), or
  YC_SERVICE_ACCOUNT_KEY_FILE (yc iam key create --output key.json), or YC_METADATA_TOKEN_URL on a VM
endpoints: YC_FUNCTIONS_ENDPOINT, YC_TRIGGERS_ENDPOINT, YC_OPERATION_ENDPOINT,
  YC_RESOURCE_MANAGER_ENDPOINT (the public ones by default)`;

/** Flags that contradict each other: a saved plan is applied as it is, or not at all. */
function flagConflict(values: { 'dry-run'?: boolean; out?: string; plan?: string }) {
  if (values.out !== undefined && !values['dry-run'])
    return '--out saves the plan of a dry run: use it with --dry-run';
  if (values.plan !== undefined && (values['dry-run'] || values.out !== undefined))
    return '--plan applies a plan already saved: it takes neither --dry-run nor --out';
  return undefined;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean' },
      out: { type: 'string' },
      plan: { type: 'string' },
      json: { type: 'boolean' },
      manifest: { type: 'string', default: path.join(ROOT, 'function.yaml') },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const conflict = flagConflict(values);
  if (conflict) {
    console.error(`npm run deploy: ${conflict}\n${USAGE}`);
    return 2;
  }
  const manifestFile = path.resolve(values.manifest);
  const manifest = loadManifest(manifestFile);
  // On stderr, so that --json keeps stdout for the plan alone.
  for (const warning of manifestWarnings(manifest)) console.error(`WARNING: ${warning}`);
  const saved = values.plan === undefined ? undefined : readSavedPlan(path.resolve(values.plan));
  // A saved plan is held to the zip it was made with: a rebuild could only make another.
  if (!saved) buildIfNeeded();
  const zip = readFileSync(path.resolve(ROOT, manifest.source));
  const code = codeOf(zip);
  const token = await deployToken(process.env);
  /** What a report goes to: with --json, stdout is the plan alone, for a machine to read. */
  const report = values.json ? console.error : console.log;

  /** The plan, as text or JSON; a plan with refusals is never carried out. */
  const show = (heading: string, plan: Plan, state: 'unknown' | 'new' | 'existing') => {
    if (values.json) console.log(JSON.stringify({ state, ...plan }, null, 2));
    else console.log(`${heading}\n${formatPlan(plan, manifest)}`);
    return plan.refusals.length === 0;
  };

  if (!token) {
    if (!values['dry-run'] || values.out !== undefined) {
      console.error(
        `npm run deploy: no credentials: set YC_IAM_TOKEN or YC_SERVICE_ACCOUNT_KEY_FILE${values.out === undefined ? ', or use --dry-run to see the plan' : ': a saved plan holds the state of the cloud it was made against, which takes them to read'}`,
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
    const inherited = await cloud.readInheritedAccess(manifest);
    const plan = planDeployment(manifest, code.unpackedBytes, current, inherited);
    const state = plannedState(current, inherited);
    const manifestSha256 = sha256(readFileSync(manifestFile));
    if (saved) {
      const reasons = staleReasons(saved, { manifestFile, manifestSha256, code, state, plan });
      if (reasons.length > 0) {
        console.error(
          `npm run deploy: refused to apply ${values.plan}; nothing was changed. Make a new plan with --dry-run --out:\n${reasons.map((r) => `  - ${r}`).join('\n')}`,
        );
        return 1;
      }
    }
    const heading = saved
      ? `applying the plan saved in ${values.plan}, for ${manifest.name}:`
      : current
        ? `plan for ${manifest.name}:`
        : `${manifest.name} does not exist yet; plan:`;
    if (!show(heading, plan, current ? 'existing' : 'new')) {
      console.error('npm run deploy: refused; nothing was changed');
      return 1;
    }
    if (values.out !== undefined) {
      const file = path.resolve(values.out);
      const toSave: SavedPlan = {
        format: PLAN_FORMAT,
        manifest: { file: manifestFile, sha256: manifestSha256 },
        code: { source: manifest.source, ...code },
        state,
        plan,
      };
      writeFileSync(file, `${JSON.stringify(toSave, null, 2)}\n`);
      report(`saved the plan to ${file}; apply it with npm run deploy -- --plan ${values.out}`);
      return 0;
    }
    if (values['dry-run'] || plan.steps.length === 0) return 0;
    // With a saved plan, this plan is that one to the letter (staleReasons).
    const done = await cloud.apply(manifest, plan, zip, current);
    report(`deployed ${manifest.name}:\n${done.map((line) => `  ${line}`).join('\n')}`);
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
