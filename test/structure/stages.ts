/**
 * The stages of an invocation, in order: a file may import only from its own stage or an
 * earlier one. Longest prefix wins. docs/layout.md shows the same table, and a test holds the two
 * together.
 */
export const STAGES = [
  [
    'foundation',
    [
      'model.ts',
      'errors.ts',
      'request-ids.ts',
      'log.ts',
      'config.ts',
      'printable.ts',
      'map-limited.ts',
      'lazy-bundle.ts',
      'tallies.ts',
      'roles.ts',
      'cancellable.ts',
      'cloud/',
      'instance.ts',
    ],
  ],
  ['request', ['request/']],
  ['select', ['select/', 'sweep/']],
  ['act', ['act/']],
  ['report', ['report/']],
  ['run', ['run.ts']],
  ['boundary', ['event/', 'handler.ts']],
  ['entry', ['index.ts']],
] as const;
