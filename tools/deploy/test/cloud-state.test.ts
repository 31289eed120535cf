import { afterEach, describe, expect, it } from 'vitest';
import { testPki } from '../../../test/support/index';
import { type DeployApiServer, startDeployApiServer } from '../fake/server';
import { openCloudCalls } from '../src/cloud-calls';
import { readState } from '../src/cloud-state';
import { validateManifest } from '../src/manifest';

const FOLDER = 'b1gpagedfolder';
const FUNCTION = 'd4epagedfunction0001';

const manifest = validateManifest({
  name: 'paged',
  folderId: FOLDER,
  runtime: 'nodejs22',
  entrypoint: 'index.handler',
  memory: '128m',
  timeout: '60s',
  serviceAccountId: 'ajesa',
  environment: { DRY_RUN: 'false' },
  triggers: [],
});

let server: DeployApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('reading the deployment from the cloud', () => {
  it("reads every page of the folder's triggers, not only the first", async () => {
    server = await startDeployApiServer({ pki: testPki(), maxPageSize: 2 });
    const timer = (n: number) => ({
      id: `trigger${n}`,
      folderId: FOLDER,
      name: `tick-${n}`,
      rule: {
        timer: {
          cronExpression: '0 * ? * * *',
          payload: '',
          invokeFunction: { functionId: FUNCTION, functionTag: '$latest', serviceAccountId: 'aje' },
        },
      },
    });
    server.seedServerless({
      functions: [{ id: FUNCTION, folderId: FOLDER, name: 'paged' }],
      triggers: [1, 2, 3, 4, 5].map(timer),
    });
    const calls = openCloudCalls(
      {
        functions: server.address,
        triggers: server.address,
        operations: server.address,
        resourceManager: server.address,
        monitoring: server.address,
      },
      't1.deployer-token',
    );
    try {
      const state = await readState(calls, manifest);
      expect(state?.triggers.map((t) => t.spec.name)).toEqual([
        'tick-1',
        'tick-2',
        'tick-3',
        'tick-4',
        'tick-5',
      ]);
      expect(
        server.callsFor(FOLDER).filter((c) => c.method === 'TriggerService/List'),
      ).toHaveLength(3);
    } finally {
      calls.close();
    }
  });
});
