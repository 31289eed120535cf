import { loadBundle } from '../lazy-bundle';

/**
 * Metrics and messages live in a bundle of their own (dist/observe.js), required only when
 * METRICS_FOLDER_ID or NOTIFY_WEBHOOK_URL is set, so a function with neither never loads them.
 * build.mjs makes the `#observe` import that file; from source it is src/report/observe/index.ts.
 */
export const loadObserve = () => loadBundle('observe.js', () => import('#observe'));
