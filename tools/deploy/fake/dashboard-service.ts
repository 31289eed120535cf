import { type Server, status } from '@grpc/grpc-js';
import { Empty } from '@yandex-cloud/nodejs-sdk/google/protobuf/empty';
import {
  Dashboard,
  protobufPackage as MONITORING,
} from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard';
import {
  type CreateDashboardRequest,
  type DashboardServiceServer,
  DashboardServiceService,
  type ListDashboardsRequest,
  type UpdateDashboardRequest,
} from '@yandex-cloud/nodejs-sdk/monitoring-v3/dashboard_service';
import { pageOf } from './serverless-fields';
import {
  isRejection,
  type Mutation,
  type Outcome,
  packAny,
  type Rejection,
  type RpcKit,
  reject,
} from './serverless-rpc';

/**
 * What an Update or Delete with an etag other than the dashboard's ends in. The docs' gRPC
 * examples (en/monitoring/operations/dashboard/api-examples.md, Delete) show it: the call
 * succeeds with a finished operation whose error is code 6, "ALREADY_EXISTS: dashboard '…' with
 * etag '1' is out of date".
 */
export const STALE_ETAG = { code: status.ALREADY_EXISTS, words: 'is out of date' } as const;

// "Currently, all operations are synchronous" (en/monitoring/api-ref/api-ref-grpc/index.md); the
// examples' operations carry this description and no metadata, though the proto names one.
const SYNCHRONOUS = 'Operation synchronous';

// dashboard_service.proto, CreateDashboardRequest.name and UpdateDashboardRequest.name.
const NAME = /^(|[a-z]([-a-z0-9]{0,61}[a-z0-9])?)$/;
// managed_by: the SDK's generated comment gives "[\w \-]{1,100}", the cloudapi proto the looser
// "[a-zA-Z0-9_\-\W]{1,100}"; the emulator holds a caller to the stricter, which passes both.
const MANAGED_BY = /^[\w -]{1,100}$/;

/** A dashboard as someone (the console, Terraform, another tool) made it before the test. */
export type DashboardSeed = Partial<Dashboard> & Pick<Dashboard, 'id'> & { folderId: string };

export interface DashboardControls {
  /** Copies, in creation order, so a test cannot change the fake's state by accident. */
  dashboards(): Dashboard[];
  /** Each replaces one with the same id; etag "0" unless given one, as Create starts it. */
  seedDashboards(...seeds: DashboardSeed[]): void;
  /**
   * Answers every dashboard call about these folders PERMISSION_DENIED, as the API answers a
   * caller without monitoring.editor there; an empty list grants them all again.
   */
  denyDashboards(folderIds: readonly string[]): void;
}

type Fields = Omit<CreateDashboardRequest, 'folderId'> | Omit<UpdateDashboardRequest, 'etag'>;

/** The fields a Create or Update sets; Update has no mask, so it replaces them all. */
const settable = (request: Fields) => ({
  name: request.name,
  description: request.description,
  labels: { ...request.labels },
  title: request.title,
  widgets: request.widgets,
  parametrization: request.parametrization,
  // Stored as given: the API does not derive them, and only they tell a deployer its own.
  managedBy: request.managedBy,
  managedLink: request.managedLink,
  timeline: request.timeline,
  links: request.links,
});

function checkFields(request: Fields): Rejection | undefined {
  if (!NAME.test(request.name)) {
    return reject(status.INVALID_ARGUMENT, `name ${JSON.stringify(request.name)} is invalid`);
  }
  if (request.managedBy !== '' && !MANAGED_BY.test(request.managedBy)) {
    const details = `managed_by ${JSON.stringify(request.managedBy)} does not match ${MANAGED_BY.source}`;
    return reject(status.INVALID_ARGUMENT, details);
  }
  // managed_link: "Must be valid URI".
  if (request.managedLink !== '' && !URL.canParse(request.managedLink)) {
    const details = `managed_link ${JSON.stringify(request.managedLink)} is not a URI`;
    return reject(status.INVALID_ARGUMENT, details);
  }
  return undefined;
}

/**
 * The name List's selectors ask for, undefined for none. The SDK's ListDashboardsRequest offers
 * `selectors` ("name = \"New\"", with GLOBs and regexes) and a `filter` that the cloudapi proto
 * reads as `name="abc"` but the SDK's comment as a substring of any field. Only an exact
 * `name = "<name>"` selector is understood, the rest refused: ignoring them would hand a caller
 * more than it asked for, unnoticed.
 */
function nameSelected(request: ListDashboardsRequest): Outcome<{ name: string | undefined }> {
  const { filter, selectors, readMask } = request;
  if (filter !== '' || (readMask?.paths.length ?? 0) > 0) {
    return reject(status.INVALID_ARGUMENT, 'the emulator models no filter or read_mask on List');
  }
  if (selectors === '') return { name: undefined };
  const name = /^name\s*=\s*"([a-z][-a-z0-9]*)"$/.exec(selectors)?.[1];
  if (name !== undefined) return { name };
  const details = `the emulator understands only selectors name = "<name>", not ${selectors}`;
  return reject(status.INVALID_ARGUMENT, details);
}

// The docs' examples show etag "0" after Create and "1" after one Update.
const nextEtag = (etag: string) => String((Number.parseInt(etag, 10) || 0) + 1);

/** The dashboards of every folder, and Monitoring's DashboardService over them. */
export function createDashboards(opts: { kit: RpcKit; maxPageSize: number }) {
  const { kit } = opts;
  // A Map keeps insertion order, which is the order List returns dashboards in.
  const dashboards = new Map<string, Dashboard>();
  const denied = new Set<string>();
  let counter = 0;

  // Shaped like the docs' "fbee8i4vn87s********": 20 characters.
  const newId = () => {
    for (;;) {
      const id = `fbe${String(++counter).padStart(17, '0')}`;
      if (!dashboards.has(id)) return id;
    }
  };

  const denial = (folderId: string): Rejection | undefined =>
    denied.has(folderId)
      ? reject(status.PERMISSION_DENIED, `Permission denied to dashboards of folder ${folderId}`)
      : undefined;

  /** The dashboard, or NOT_FOUND, or PERMISSION_DENIED where its folder is denied. */
  const find = (dashboardId: string): Outcome<Dashboard> => {
    const found = dashboards.get(dashboardId);
    if (found === undefined) return reject(status.NOT_FOUND, `dashboard ${dashboardId} not found`);
    return denial(found.folderId ?? '') ?? found;
  };

  // "ALREADY_EXISTS: Name must be uniq in parentId" (en/monitoring/api-ref/api-ref-grpc/index.md).
  const nameTaken = (folderId: string, name: string, exceptId?: string) => {
    const clash = [...dashboards.values()].some(
      (d) => d.folderId === folderId && d.name === name && d.id !== exceptId,
    );
    if (name === '' || !clash) return undefined;
    return reject(status.ALREADY_EXISTS, 'Name must be uniq in parentId');
  };

  const pack = (dashboard: Dashboard) =>
    packAny(`${MONITORING}.Dashboard`, Dashboard, Dashboard.fromPartial(dashboard));

  /**
   * An Update or Delete with an etag other than the dashboard's. Every dashboard has one, so an
   * empty etag is refused too, though the docs' Update example sends none: a deployer that forgot
   * the etag it read would otherwise overwrite someone's edit in the cloud unnoticed here.
   */
  const staleEtag = (dashboard: Dashboard, etag: string): Mutation | undefined =>
    etag === dashboard.etag
      ? undefined
      : {
          description: SYNCHRONOUS,
          error: {
            code: STALE_ETAG.code,
            message: `ALREADY_EXISTS: dashboard '${dashboard.id}' with etag '${etag}' ${STALE_ETAG.words}`,
          },
        };

  const create = (request: CreateDashboardRequest): Outcome<Mutation> => {
    const folderId = request.folderId ?? '';
    // folder_id: "Required", in the `container` oneof.
    if (folderId === '') return reject(status.INVALID_ARGUMENT, 'folder_id is required');
    const refused = denial(folderId) ?? checkFields(request) ?? nameTaken(folderId, request.name);
    if (refused) return refused;
    return {
      description: SYNCHRONOUS,
      apply: () => {
        const now = new Date();
        // created_by and modified_by name a user; the emulator knows none, so leaves them empty.
        const made = { id: newId(), folderId, createdAt: now, modifiedAt: now, etag: '0' };
        const dashboard = Dashboard.fromPartial({ ...made, ...settable(request) });
        dashboards.set(dashboard.id, dashboard);
        return pack(dashboard);
      },
    };
  };

  const update = (request: UpdateDashboardRequest): Outcome<Mutation> => {
    const dashboard = find(request.dashboardId);
    if (isRejection(dashboard)) return dashboard;
    const refused =
      checkFields(request) ?? nameTaken(dashboard.folderId ?? '', request.name, dashboard.id);
    if (refused) return refused;
    return (
      staleEtag(dashboard, request.etag) ?? {
        description: SYNCHRONOUS,
        apply: () => {
          Object.assign(dashboard, settable(request), {
            etag: nextEtag(dashboard.etag),
            modifiedAt: new Date(),
          });
          return pack(dashboard);
        },
      }
    );
  };

  const handlers: Pick<DashboardServiceServer, 'get' | 'list' | 'create' | 'update' | 'delete'> = {
    get: kit.query(
      'DashboardService/Get',
      (r) => r.dashboardId,
      (r) => find(r.dashboardId),
    ),

    list: kit.query(
      'DashboardService/List',
      (r) => r.folderId ?? '',
      (request) => {
        const folderId = request.folderId ?? '';
        if (folderId === '') return reject(status.INVALID_ARGUMENT, 'folder_id is required');
        const selected = denial(folderId) ?? nameSelected(request);
        if (isRejection(selected)) return selected;
        const inFolder = [...dashboards.values()].filter(
          (d) =>
            d.folderId === folderId && (selected.name === undefined || d.name === selected.name),
        );
        // page_size: "at most 100" unless given, "values above 1000 will be coerced to 1000".
        const listed = pageOf(inFolder, request, opts.maxPageSize);
        if (isRejection(listed)) return listed;
        return { dashboards: listed.items, nextPageToken: listed.nextPageToken };
      },
    ),

    create: kit.mutation('DashboardService/Create', (r) => r.folderId ?? '', create),
    update: kit.mutation('DashboardService/Update', (r) => r.dashboardId, update),

    delete: kit.mutation(
      'DashboardService/Delete',
      (r) => r.dashboardId,
      ({ dashboardId, etag }) => {
        const dashboard = find(dashboardId);
        if (isRejection(dashboard)) return dashboard;
        return (
          staleEtag(dashboard, etag) ?? {
            description: SYNCHRONOUS,
            apply: () => {
              dashboards.delete(dashboardId);
              return packAny('google.protobuf.Empty', Empty, {});
            },
          }
        );
      },
    ),
  };

  const controls: DashboardControls = {
    dashboards: () => [...dashboards.values()].map((d) => Dashboard.fromPartial(d)),
    seedDashboards: (...seeds) => {
      for (const seed of seeds)
        dashboards.set(seed.id, Dashboard.fromPartial({ ...seed, etag: seed.etag || '0' }));
    },
    denyDashboards: (folderIds) => {
      denied.clear();
      for (const folderId of folderIds) denied.add(folderId);
    },
  };

  return {
    ...controls,
    // ListOperations is left out: grpc-js's default handler answers it UNIMPLEMENTED.
    addTo: (server: Server) => server.addService(DashboardServiceService, handlers),
  };
}
