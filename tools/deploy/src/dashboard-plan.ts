import type { Dashboard } from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard';
import {
  DASHBOARD,
  dashboardChangeList,
  dashboardChanges,
  type WantedDashboard,
  wantedDashboard,
} from './dashboard';
import type { Manifest } from './manifest';
import type { Plan } from './plan';

const otherOwner = (want: WantedDashboard, found: Dashboard) =>
  `dashboard ${want.name} in folder ${want.folderId} is managed by ${found.managedBy ? JSON.stringify(found.managedBy) : 'no tool (made by hand, in the console)'}, not by ${DASHBOARD.managedBy}, so deploy leaves it alone: delete or rename it there for deploy to make its own, or leave it to its owner and unset METRICS_FOLDER_ID`;

/**
 * The plan with the function's dashboard in it, last: made when none of its name is found, updated
 * when deploy's own differs, refused when someone else manages it. Pure; `found` is what the
 * folder's listing by name gave, undefined for nothing (or for a plan without credentials).
 */
export function withDashboard(plan: Plan, manifest: Manifest, found?: Dashboard): Plan {
  const want = wantedDashboard(manifest);
  if (!want) return plan;
  if (!found) {
    const { name, folderId } = want;
    const step = {
      kind: 'create-dashboard',
      name,
      folderId,
      changes: dashboardChangeList(want),
    } as const;
    return { ...plan, steps: [...plan.steps, step] };
  }
  if (found.managedBy !== DASHBOARD.managedBy) {
    return { ...plan, refusals: [...plan.refusals, otherOwner(want, found)] };
  }
  const changed = dashboardChanges(want, found);
  if (changed.length === 0) {
    return { ...plan, unchanged: [...plan.unchanged, `dashboard ${want.name}`] };
  }
  const { id, etag } = found;
  const changes = dashboardChangeList(want, found);
  const step = { kind: 'update-dashboard', id, etag, name: want.name, changed, changes } as const;
  return { ...plan, steps: [...plan.steps, step] };
}
