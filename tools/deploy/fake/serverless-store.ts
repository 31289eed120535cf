import { AccessBinding } from '@yandex-cloud/nodejs-sdk/proto/access/access';
import {
  Function_Status,
  Function as FunctionMessage,
  Version,
  Version_Status,
} from '@yandex-cloud/nodejs-sdk/serverless-functions-v1/function';
import { Trigger, Trigger_Status } from '@yandex-cloud/nodejs-sdk/serverless-triggers-v1/trigger';

export const LATEST = '$latest';

/** A version as the emulator keeps it, with the hash of its content, which Version cannot carry. */
export type FakeVersion = Version & { contentSha256: string | undefined };

export type FunctionSeed = Partial<FunctionMessage> & Pick<FunctionMessage, 'id' | 'folderId'>;
/** Without `tags`, a seeded version is the newest: it gets $latest. */
export type VersionSeed = Partial<Version> &
  Pick<Version, 'id' | 'functionId'> & { contentSha256?: string };
export type TriggerSeed = Partial<Trigger> & Pick<Trigger, 'id' | 'folderId'>;

/** Resources a test starts from; each replaces one with the same id, keeping its place in List. */
export interface ServerlessSeed {
  functions?: FunctionSeed[];
  /** Seeded after functions, each for a function that exists by then. */
  versions?: VersionSeed[];
  triggers?: TriggerSeed[];
  /** By function id: replaces that function's bindings. */
  accessBindings?: Record<string, AccessBinding[]>;
}

export interface ServerlessStore {
  // Maps keep insertion order, which is the order List returns things in.
  readonly functions: Map<string, FunctionMessage>;
  readonly versions: Map<string, FakeVersion>;
  readonly triggers: Map<string, Trigger>;
  readonly bindings: Map<string, AccessBinding[]>;
  /** Ids shaped like real ones: `d4e` and a counter, 20 characters. */
  newId(): string;
  versionsOf(functionId: string): FakeVersion[];
  /** Stores a version and moves each of its tags to it from the function's older versions. */
  addVersion(version: FakeVersion): void;
  seed(seed: ServerlessSeed): void;
}

export const invokeUrl = (functionId: string) => `https://functions.yandexcloud.net/${functionId}`;

export function createServerlessStore(opts: {
  /** Whether an id is already used outside this store, by an operation. */
  taken(id: string): boolean;
}): ServerlessStore {
  const functions = new Map<string, FunctionMessage>();
  const versions = new Map<string, FakeVersion>();
  const triggers = new Map<string, Trigger>();
  const bindings = new Map<string, AccessBinding[]>();
  let counter = 0;

  const newId = () => {
    for (;;) {
      const id = `d4e${String(++counter).padStart(17, '0')}`;
      const used = functions.has(id) || versions.has(id) || triggers.has(id) || opts.taken(id);
      if (!used) return id;
    }
  };

  const versionsOf = (functionId: string) =>
    [...versions.values()].filter((version) => version.functionId === functionId);

  const addVersion = (version: FakeVersion) => {
    for (const older of versionsOf(version.functionId)) {
      older.tags = older.tags.filter((tag) => !version.tags.includes(tag));
    }
    versions.set(version.id, version);
  };

  const requireFunction = (functionId: string, what: string) => {
    if (!functions.has(functionId)) {
      throw new Error(`cannot seed ${what} of function ${functionId}: seed the function first`);
    }
  };

  const seed = (seeded: ServerlessSeed) => {
    for (const fn of seeded.functions ?? []) {
      // The generated DeepPartial<Function> is the whole Function (it mistakes the message for the
      // global Function), so fromPartial needs every field.
      const defaults: FunctionMessage = {
        id: fn.id,
        folderId: fn.folderId,
        createdAt: new Date(),
        name: '',
        description: '',
        labels: {},
        httpInvokeUrl: invokeUrl(fn.id),
        status: Function_Status.ACTIVE,
      };
      functions.set(fn.id, FunctionMessage.fromPartial({ ...defaults, ...fn }));
    }
    for (const { contentSha256, ...version } of seeded.versions ?? []) {
      requireFunction(version.functionId, `version ${version.id}`);
      const message = Version.fromPartial({
        createdAt: new Date(),
        status: Version_Status.ACTIVE,
        tags: [LATEST],
        ...version,
      });
      addVersion({ ...message, contentSha256 });
    }
    for (const trigger of seeded.triggers ?? []) {
      triggers.set(
        trigger.id,
        Trigger.fromPartial({ createdAt: new Date(), status: Trigger_Status.ACTIVE, ...trigger }),
      );
    }
    for (const [functionId, list] of Object.entries(seeded.accessBindings ?? {})) {
      requireFunction(functionId, 'access bindings');
      bindings.set(
        functionId,
        list.map((binding) => AccessBinding.fromPartial(binding)),
      );
    }
  };

  return { functions, versions, triggers, bindings, newId, versionsOf, addVersion, seed };
}
