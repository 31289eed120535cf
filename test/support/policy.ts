import type { Policy } from '../../src/config';

/** A deployment that narrows nothing: what every request could do before there was a policy. */
export const OPEN_POLICY: Policy = { minOlderThanSeconds: 0, allowOldest: true };
