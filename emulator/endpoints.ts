import { ENDPOINT_SETTINGS as BY_API, type EndpointSetting } from '../src/config';

/** The function's endpoint settings: in the emulator, each points at the one server. */
export const ENDPOINT_SETTINGS: readonly EndpointSetting[] = Object.values(BY_API);

/** Every endpoint setting at one server: the emulator serves all the APIs on one address. */
export const endpointsAt = (address: string): Record<EndpointSetting, string> =>
  Object.fromEntries(ENDPOINT_SETTINGS.map((name) => [name, address])) as Record<
    EndpointSetting,
    string
  >;
