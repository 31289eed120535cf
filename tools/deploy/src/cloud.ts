import { readInheritedAccess } from './access';
import { applyPlan } from './apply-plan';
import { type Endpoints, openCloudCalls } from './cloud-calls';
import { readDashboard, readState } from './cloud-state';
import type { Manifest } from './manifest';
import type { CurrentState, InheritedAccess, Plan } from './plan';

export { DEFAULT_ENDPOINTS, type Endpoints } from './cloud-calls';
export { DeployError } from './deploy-error';

/** The cloud as deploy reads and changes it, through the SDK's clients and the function's retries. */
export function connect(endpoints: Endpoints, token: string) {
  const calls = openCloudCalls(endpoints, token);
  return {
    /** The access the folder and its cloud grant every function in them. */
    readInheritedAccess: (manifest: Manifest): Promise<InheritedAccess> =>
      readInheritedAccess(calls, manifest.folderId),
    /** The deployment as the cloud has it, or undefined when there is no such function yet. */
    readState: (manifest: Manifest): Promise<CurrentState | undefined> =>
      readState(calls, manifest),
    /** The function's dashboard in its metrics folder, if it writes metrics and there is one. */
    readDashboard: (manifest: Manifest) => readDashboard(calls, manifest),
    /** Carries out the plan in order, waiting for each operation; returns a line per step done. */
    apply: (manifest: Manifest, plan: Plan, code: Buffer, current?: CurrentState) =>
      applyPlan(calls, manifest, plan, code, current),
    close: () => calls.close(),
  };
}
