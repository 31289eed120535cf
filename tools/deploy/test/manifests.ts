/** The fewest fields a valid function.yaml has: what tests of deploy start from. */
export const MINIMAL_MANIFEST = {
  name: 'operation-canceller',
  folderId: 'b1gfolder',
  runtime: 'nodejs22',
  entrypoint: 'index.handler',
  memory: '128m',
  timeout: '60s',
  serviceAccountId: 'ajesa',
} as const;
