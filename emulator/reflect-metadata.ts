// @peculiar/x509 depends on tsyringe, which refuses to load without a Reflect metadata
// polyfill. The project adds no dependency for that, so this supplies the three calls tsyringe
// makes (defineMetadata, getOwnMetadata, getMetadata). Import it before @peculiar/x509.

type MetadataTarget = object;

interface ReflectMetadata {
  defineMetadata(key: unknown, value: unknown, target: MetadataTarget): void;
  getOwnMetadata(key: unknown, target: MetadataTarget): unknown;
  getMetadata(key: unknown, target: MetadataTarget): unknown;
}

const store = new WeakMap<MetadataTarget, Map<unknown, unknown>>();

const polyfill: ReflectMetadata = {
  defineMetadata(key, value, target) {
    let entries = store.get(target);
    if (entries === undefined) {
      entries = new Map();
      store.set(target, entries);
    }
    entries.set(key, value);
  },
  getOwnMetadata(key, target) {
    return store.get(target)?.get(key);
  },
  getMetadata(key, target) {
    for (let t: MetadataTarget | null = target; t !== null; t = Object.getPrototypeOf(t)) {
      const entries = store.get(t);
      if (entries?.has(key)) return entries.get(key);
    }
    return undefined;
  },
};

const reflect = Reflect as unknown as Partial<ReflectMetadata>;
if (typeof reflect.getMetadata !== 'function') {
  Object.assign(Reflect, polyfill);
}
