import { credentials } from '@grpc/grpc-js';
import type { Any } from '@yandex-cloud/nodejs-sdk/google/protobuf/any';
import { Dashboard } from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard';
import {
  CreateDashboardRequest,
  DashboardServiceClient,
  DeleteDashboardRequest,
  GetDashboardRequest,
  ListDashboardsRequest,
  UpdateDashboardRequest,
} from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard_service';
import { Widget } from '@yandex-cloud/nodejs-sdk/monitoring-v3/widget';
import { Status } from 'nice-grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { allPages, bearer, testPki, unary } from '../../../test/support/index';
import { type DeployApiServer, STALE_ETAG, startDeployApiServer } from '../fake/server';

describe("Monitoring's DashboardService on deploy's fake server", () => {
  const FOLDER = 'b1gmetrics0000000001';
  const DASHBOARD = 'type.googleapis.com/yandex.cloud.monitoring.v3.Dashboard';
  const WIDGET = Widget.fromPartial({ text: { text: 'see docs/observability.md' } });
  const OURS = {
    managedBy: 'yc-operation-canceller',
    managedLink: 'https://example.com/canceller',
  };
  let server: DeployApiServer;
  let client: DashboardServiceClient;

  const start = async (options: { maxPageSize?: number } = {}) => {
    server = await startDeployApiServer({ pki: testPki(), ...options });
    // No explicit roots: the test CA is trusted via GRPC_DEFAULT_SSL_ROOTS_FILE_PATH.
    client = new DashboardServiceClient(server.address, credentials.createSsl());
  };

  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  const call = {
    get: (dashboardId: string) =>
      unary(client.get.bind(client), GetDashboardRequest.fromPartial({ dashboardId }), bearer()),
    list: (request: Partial<ListDashboardsRequest> = {}) =>
      unary(
        client.list.bind(client),
        ListDashboardsRequest.fromPartial({ folderId: FOLDER, ...request }),
        bearer(),
      ),
    create: (request: Partial<CreateDashboardRequest>) =>
      unary(
        client.create.bind(client),
        CreateDashboardRequest.fromPartial({ folderId: FOLDER, ...request }),
        bearer(),
      ),
    update: (request: Partial<UpdateDashboardRequest>) =>
      unary(client.update.bind(client), UpdateDashboardRequest.fromPartial(request), bearer()),
    delete: (dashboardId: string, etag: string) =>
      unary(
        client.delete.bind(client),
        DeleteDashboardRequest.fromPartial({ dashboardId, etag }),
        bearer(),
      ),
  };

  const unpack = (packed: Any | undefined): Dashboard => {
    expect(packed?.typeUrl).toBe(DASHBOARD);
    return Dashboard.decode(packed?.value ?? Buffer.alloc(0));
  };

  const created = async (name: string) => unpack((await call.create({ name, ...OURS })).response);

  it('creates, gets, lists and updates a dashboard with its etag, and refuses a stale one', async () => {
    await start();
    const before = Date.now();
    const op = await call.create({
      name: 'operation-canceller',
      title: 'Operation canceller',
      labels: { app: 'canceller' },
      widgets: [WIDGET],
      ...OURS,
    });
    // Synchronous, as the docs' examples show: done at once, with the dashboard packed.
    expect(op).toMatchObject({ done: true, description: 'Operation synchronous' });
    expect(op.error).toBeUndefined();
    expect(op.metadata).toBeUndefined();
    const dashboard = unpack(op.response);
    expect(dashboard).toMatchObject({
      folderId: FOLDER,
      name: 'operation-canceller',
      title: 'Operation canceller',
      labels: { app: 'canceller' },
      etag: '0',
      ...OURS,
    });
    expect(dashboard.widgets).toEqual([WIDGET]);
    expect(dashboard.id).toMatch(/^fbe[0-9a-z]{17}$/);
    expect(dashboard.createdAt?.getTime()).toBeGreaterThanOrEqual(before);
    expect(dashboard.modifiedAt).toEqual(dashboard.createdAt);

    expect(await call.get(dashboard.id)).toEqual(dashboard);
    expect(await call.list()).toEqual({ dashboards: [dashboard], nextPageToken: '' });

    const updated = await call.update({
      dashboardId: dashboard.id,
      etag: dashboard.etag,
      name: dashboard.name,
      title: 'Renamed',
      ...OURS,
    });
    expect(updated).toMatchObject({ done: true });
    expect(updated.error).toBeUndefined();
    const after = unpack(updated.response);
    // Update has no mask: what it leaves out (labels, widgets) is cleared, as its proto replaces.
    expect(after).toMatchObject({ id: dashboard.id, title: 'Renamed', etag: '1', labels: {} });
    expect(after.widgets).toEqual([]);
    expect(after.createdAt).toEqual(dashboard.createdAt);
    expect(after.modifiedAt?.getTime()).toBeGreaterThanOrEqual(dashboard.createdAt?.getTime() ?? 0);
    expect(server.dashboards()).toEqual([after]);

    // The etag read before the update is stale now, and an empty one is refused alike.
    for (const etag of ['0', '']) {
      const stale = await call.update({
        dashboardId: dashboard.id,
        etag,
        name: dashboard.name,
        title: 'Lost edit',
        ...OURS,
      });
      expect(stale.done).toBe(true);
      expect(stale.response).toBeUndefined();
      expect(stale.error).toEqual({
        code: STALE_ETAG.code,
        message: `ALREADY_EXISTS: dashboard '${dashboard.id}' with etag '${etag}' is out of date`,
        details: [],
      });
    }
    expect(server.dashboards()).toEqual([after]);
    expect((await call.delete(dashboard.id, '0')).error?.code).toBe(Status.ALREADY_EXISTS);
    expect(server.dashboards()).toEqual([after]);
    expect((await call.delete(dashboard.id, '1')).error).toBeUndefined();
    expect(server.dashboards()).toEqual([]);
  });

  it("lists a seeded dashboard with its owner's managed_by, found by a name selector", async () => {
    await start({ maxPageSize: 1 });
    server.seedDashboards({
      id: 'fbeterraform000000001',
      folderId: FOLDER,
      name: 'operation-canceller',
      managedBy: 'terraform',
      managedLink: 'https://example.com/infra',
    });
    server.seedDashboards({ id: 'fbeelsewhere00000001', folderId: 'b1gother000000000002' });
    const ours = await created('other-dashboard');

    const pages = await allPages(async (pageToken) => {
      const page = await call.list({ pageToken });
      return { items: page.dashboards, nextPageToken: page.nextPageToken };
    });
    expect(pages.map((page) => page.items.map((d) => [d.id, d.managedBy]))).toEqual([
      [['fbeterraform000000001', 'terraform']],
      [[ours.id, OURS.managedBy]],
    ]);

    const byName = await call.list({ selectors: 'name = "operation-canceller"' });
    expect(byName.dashboards).toEqual([
      expect.objectContaining({ managedBy: 'terraform', etag: '0', folderId: FOLDER }),
    ]);
    expect((await call.list({ selectors: 'name="nobody"' })).dashboards).toEqual([]);
    for (const refused of [{ selectors: 'managed_by = "terraform"' }, { filter: 'canceller' }]) {
      await expect(call.list(refused)).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    }
  });

  it('refuses what the proto forbids, an unknown id, a taken name and a denied folder', async () => {
    await start();
    const ours = await created('operation-canceller');
    await expect(call.get('fbenope')).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(call.create({ name: 'operation-canceller' })).rejects.toMatchObject({
      code: Status.ALREADY_EXISTS,
    });
    for (const bad of [{ name: 'Bad_Name' }, { managedBy: 'a/b' }, { managedLink: 'not a uri' }]) {
      await expect(call.create({ name: 'x-y', ...bad })).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
      });
    }
    await expect(call.create({ folderId: undefined, name: 'x-y' })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });

    server.denyDashboards([FOLDER]);
    const denied = [() => call.get(ours.id), () => call.list(), () => call.create({ name: 'x-y' })];
    for (const attempt of denied) {
      await expect(attempt()).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    }
    server.denyDashboards([]);
    expect(await call.get(ours.id)).toEqual(ours);

    // As on every fake, a test can fail the next call as an expired token would.
    server.failNext('DashboardService/Get', { code: Status.UNAUTHENTICATED });
    await expect(call.get(ours.id)).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    expect(server.dashboards()).toEqual([ours]);
    expect(server.callsFor(ours.id).map((c) => [c.method, c.authorization])).toEqual([
      ['DashboardService/Get', 'Bearer x'],
      ['DashboardService/Get', 'Bearer x'],
      ['DashboardService/Get', 'Bearer x'],
    ]);
  });
});
