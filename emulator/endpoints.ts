/** The function's endpoint settings: in the emulator, each points at the one server. */
export const ENDPOINT_SETTINGS = [
  'YC_OPERATION_ENDPOINT',
  'YC_COMPUTE_ENDPOINT',
  'YC_VPC_ENDPOINT',
  'YC_K8S_ENDPOINT',
  'YC_MDB_ENDPOINT',
  'YC_CIC_ENDPOINT',
  'YC_CLOUDROUTER_ENDPOINT',
  'YC_RESOURCE_MANAGER_ENDPOINT',
] as const;

/** Every endpoint setting at one server: the emulator serves all the APIs on one address. */
export const endpointsAt = (address: string): Record<(typeof ENDPOINT_SETTINGS)[number], string> =>
  Object.fromEntries(ENDPOINT_SETTINGS.map((name) => [name, address])) as Record<
    (typeof ENDPOINT_SETTINGS)[number],
    string
  >;
