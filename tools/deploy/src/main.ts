import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildIfNeeded, ROOT } from '../../../deploy-api';
import { formatAlerts, wantedAlerts } from './alerts';
import { deployToken } from './auth';
import { connect, DEFAULT_ENDPOINTS, DeployError, type Endpoints } from './cloud';
import { type Code, codeOf } from './code';
import { withDashboard } from './dashboard-plan';
import { loadManifest, type Manifest, ManifestError, manifestWarnings } from './manifest';
import { formatPlan, type Plan, planDeployment } from './plan';
import {
  type Now,
  PLAN_FORMAT,
  plannedState,
  readSavedPlan,
  type SavedPlan,
  staleReasons,
} from './saved-plan';
import { renderTerraform } from './terraform';

const USAGE = `usage: npm run deploy -- [--dry-run [--out plan.json]] [--plan plan.json] [--json]
                         [--manifest function.yaml] [--terraform DIR]
  makes the cloud match function.yaml: the function, a new version when the code or its settings
  changed, its access, its triggers, and its dashboard when it writes metrics. --dry-run prints the plan and stops; with --out it saves
  it too, with the state of the cloud it was made against. --plan applies a saved plan exactly,
  or refuses, changing nothing, when function.yaml, the code or the cloud changed since. --json
  prints the plan as JSON. --terraform writes DIR/main.tf and DIR/variables.tf, the same
  deployment (dashboard too) for Terraform, and changes nothing in the cloud.
credentials: YC_IAM_TOKEN (for example YC_IAM_TOKEN=$(yc iam create-token)), or
  YC_SERVICE_ACCOUNT_KEY_FILE (yc iam key create --output key.json), or YC_METADATA_TOKEN_URL on a VM
endpoints: YC_FUNCTIONS_ENDPOINT, YC_TRIGGERS_ENDPOINT, YC_OPERATION_ENDPOINT,
  YC_RESOURCE_MANAGER_ENDPOINT, YC_MONITORING_ENDPOINT (the public ones by default)`;

/** Flags that contradict each other: a saved plan is applied as it is, or not at all. */
function flagConflict(values: {
  'dry-run'?: boolean;
  out?: string;
  plan?: string;
  terraform?: string;
}) {
  if (
    values.terraform !== undefined &&
    (values['dry-run'] || values.out !== undefined || values.plan !== undefined)
  )
    return '--terraform only writes Terraform: it takes neither --dry-run, --out nor --plan';
  if (values.out !== undefined && !values['dry-run'])
    return '--out saves the plan of a dry run: use it with --dry-run';
  if (values.plan !== undefined && (values['dry-run'] || values.out !== undefined))
    return '--plan applies a plan already saved: it takes neither --dry-run nor --out';
  return undefined;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const FLAGS = {
  'dry-run': { type: 'boolean' },
  out: { type: 'string' },
  plan: { type: 'string' },
  json: { type: 'boolean' },
  terraform: { type: 'string' },
  manifest: { type: 'string', default: path.join(ROOT, 'function.yaml') },
  help: { type: 'boolean' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>['values'];

/** What a deploy works from, read before it asks for credentials. */
interface Deployment {
  readonly flags: Flags;
  readonly manifestFile: string;
  readonly manifest: Manifest;
  /** The plan --plan applies, if any. */
  readonly saved?: SavedPlan;
  readonly zip: Buffer;
  readonly code: Code;
}

async function main(): Promise<number> {
  const flags = parseArgs({ options: FLAGS }).values;
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const conflict = flagConflict(flags);
  if (conflict) {
    console.error(`npm run deploy: ${conflict}\n${USAGE}`);
    return 2;
  }
  const deployment = readDeployment(flags);
  if (flags.terraform !== undefined) return writeTerraform(deployment, flags.terraform);
  const token = await deployToken(process.env);
  if (!token) return planWithoutCredentials(deployment);
  const cloud = connect(endpointsOf(process.env), token);
  try {
    return await deployTo(cloud, deployment);
  } finally {
    cloud.close();
  }
}

function readDeployment(flags: Flags): Deployment {
  const manifestFile = path.resolve(flags.manifest);
  const manifest = loadManifest(manifestFile);
  // On stderr, so that --json keeps stdout for the plan alone.
  for (const warning of manifestWarnings(manifest)) console.error(`WARNING: ${warning}`);
  const saved = flags.plan === undefined ? undefined : readSavedPlan(path.resolve(flags.plan));
  // A saved plan is held to the zip it was made with: a rebuild could only make another.
  if (!saved) buildIfNeeded();
  const zip = readFileSync(path.resolve(ROOT, manifest.source));
  return { flags, manifestFile, manifest, saved, zip, code: codeOf(zip) };
}

/** The deployment as Terraform, which takes no credentials: it reads nothing of the cloud. */
function writeTerraform({ manifest, zip }: Deployment, dir: string): number {
  const out = path.resolve(dir);
  const zipPath = path.relative(out, path.resolve(ROOT, manifest.source));
  const files = renderTerraform(manifest, { zipPath, sha256: sha256(zip) });
  mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(out, name), text);
  console.log(
    `wrote ${Object.keys(files)
      .map((name) => path.join(out, name))
      .join(' and ')}`,
  );
  return 0;
}

/** The endpoints the environment names, the public ones where it names none. */
function endpointsOf(env: NodeJS.ProcessEnv): Endpoints {
  return {
    functions: env.YC_FUNCTIONS_ENDPOINT || DEFAULT_ENDPOINTS.functions,
    triggers: env.YC_TRIGGERS_ENDPOINT || DEFAULT_ENDPOINTS.triggers,
    operations: env.YC_OPERATION_ENDPOINT || DEFAULT_ENDPOINTS.operations,
    resourceManager: env.YC_RESOURCE_MANAGER_ENDPOINT || DEFAULT_ENDPOINTS.resourceManager,
    monitoring: env.YC_MONITORING_ENDPOINT || DEFAULT_ENDPOINTS.monitoring,
  };
}

/** What a report goes to: with --json, stdout is the plan alone, for a machine to read. */
const reportTo = (flags: Flags) => (flags.json ? console.error : console.log);

/** The alerts to make by hand, when the function writes metrics: with the plan, never in it. */
function alertsText(manifest: Manifest): string {
  const alerts = wantedAlerts(manifest);
  return alerts ? `\n${formatAlerts(alerts)}` : '';
}

/** The plan, as text or JSON; a plan with refusals is never carried out. */
function show(
  { flags, manifest }: Deployment,
  heading: string,
  plan: Plan,
  state: 'unknown' | 'new' | 'existing',
): boolean {
  if (flags.json) {
    // The alerts beside the plan, as the text has them after it: they are made by hand.
    const { alerts = [], notes: alertNotes = [] } = wantedAlerts(manifest) ?? {};
    console.log(JSON.stringify({ state, ...plan, alerts, alertNotes }, null, 2));
  } else console.log(`${heading}\n${formatPlan(plan, manifest)}${alertsText(manifest)}`);
  return plan.refusals.length === 0;
}

/** Without credentials only a dry run that saves nothing can go on, assuming an empty cloud. */
function planWithoutCredentials(deployment: Deployment): number {
  const { flags, manifest, code } = deployment;
  if (!flags['dry-run'] || flags.out !== undefined) {
    console.error(
      `npm run deploy: no credentials: set YC_IAM_TOKEN or YC_SERVICE_ACCOUNT_KEY_FILE${flags.out === undefined ? ', or use --dry-run to see the plan' : ': a saved plan holds the state of the cloud it was made against, which takes them to read'}`,
    );
    return 1;
  }
  show(
    deployment,
    `${flags.manifest} is valid. The current state could not be read (no credentials: set YC_IAM_TOKEN or YC_SERVICE_ACCOUNT_KEY_FILE), so this plan assumes nothing of it exists yet:`,
    withDashboard(planDeployment(manifest, code.unpackedBytes), manifest),
    'unknown',
  );
  return 0;
}

/** Plans against the cloud as it is, then shows, saves or carries out the plan. */
async function deployTo(
  cloud: ReturnType<typeof connect>,
  deployment: Deployment,
): Promise<number> {
  const { flags, manifestFile, manifest, saved, zip, code } = deployment;
  const current = await cloud.readState(manifest);
  const inherited = await cloud.readInheritedAccess(manifest);
  const dashboard = await cloud.readDashboard(manifest);
  const planned = planDeployment(manifest, code.unpackedBytes, current, inherited);
  const plan = withDashboard(planned, manifest, dashboard);
  const state = plannedState(current, inherited, dashboard);
  const now: Now = {
    manifestFile,
    manifestSha256: sha256(readFileSync(manifestFile)),
    code,
    state,
    plan,
  };
  if (saved && isStale(saved, now, flags)) return 1;
  const heading = saved
    ? `applying the plan saved in ${flags.plan}, for ${manifest.name}:`
    : current
      ? `plan for ${manifest.name}:`
      : `${manifest.name} does not exist yet; plan:`;
  if (!show(deployment, heading, plan, current ? 'existing' : 'new')) {
    console.error('npm run deploy: refused; nothing was changed');
    return 1;
  }
  if (flags.out !== undefined) return savePlan(deployment, flags.out, now);
  if (flags['dry-run'] || plan.steps.length === 0) return 0;
  // With a saved plan, this plan is that one to the letter (staleReasons).
  const done = await cloud.apply(manifest, plan, zip, current);
  reportTo(flags)(`deployed ${manifest.name}:\n${done.map((line) => `  ${line}`).join('\n')}`);
  return 0;
}

/** Whether a saved plan is refused, as no longer what deploy would make now; says why if so. */
function isStale(saved: SavedPlan, now: Now, flags: Flags): boolean {
  const reasons = staleReasons(saved, now);
  if (reasons.length === 0) return false;
  console.error(
    `npm run deploy: refused to apply ${flags.plan}; nothing was changed. Make a new plan with --dry-run --out:\n${reasons.map((r) => `  - ${r}`).join('\n')}`,
  );
  return true;
}

/** Saves the plan with what it was made from, for --plan to hold it to. */
function savePlan({ flags, manifest }: Deployment, out: string, now: Now): number {
  const file = path.resolve(out);
  const toSave: SavedPlan = {
    format: PLAN_FORMAT,
    manifest: { file: now.manifestFile, sha256: now.manifestSha256 },
    code: { source: manifest.source, ...now.code },
    state: now.state,
    plan: now.plan,
  };
  writeFileSync(file, `${JSON.stringify(toSave, null, 2)}\n`);
  reportTo(flags)(`saved the plan to ${file}; apply it with npm run deploy -- --plan ${out}`);
  return 0;
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
