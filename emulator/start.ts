import {
  functionTimeoutMs,
  openCommandSession,
  parseCommandLine,
  refuseFlagConflicts,
  runCommand,
} from './cli';
import { startFunctionHost } from './function-host';
import type { Session } from './session';

const USAGE = `usage: npm start [-- --real [--cancel] [--fan-out FUNCTION_ID] | -- --deny KIND[,KIND...]]
  (no flags)  serve the function over HTTP against the embedded OperationService emulator
  --deny      the emulator refuses to list these kinds (compute.disk, k8s.cluster, ...), as the
              API refuses a service account without the role that lists them
  --real      call the real Yandex Cloud API with YC_IAM_TOKEN or \`yc iam create-token\` (dry run)
  --cancel    with --real: cancel for real
  --fan-out   with --real: a sweep of many folders hands each on to this deployed function, posting
              your token to YC_FUNCTIONS_INVOKE_URL; without it every folder is swept here
the function is served at a URL whose path is a secret made for the run, printed at start
environment: PORT (default 8080), FUNCTION_TIMEOUT_SECONDS (default 60), and the function's own settings`;

function curlCommand(url: string, session: Session, withApiKey: boolean): string {
  const ids = session.seeded.map((s) => s.operation.id);
  const body = JSON.stringify({ operationIds: ids.length > 0 ? ids : ['<operation-id>'] });
  // Named, not shown: a key in the banner would end up in scrollback and shell history.
  const key = withApiKey ? ` -H "X-Api-Key: $HTTP_API_KEY"` : '';
  // The status matters here (200, or 503 when a retry may mend something); the last line break
  // keeps the prompt off the reply.
  return `curl -s -w '\\nHTTP %{http_code}\\n' -X POST ${url}${key} -H 'Content-Type: application/json' -d '${body}'`;
}

async function main(): Promise<undefined> {
  const line = parseCommandLine(process.argv.slice(2), { allowPositionals: false });
  if (line.help) {
    console.log(USAGE);
    return;
  }
  refuseFlagConflicts(line);
  const port = Number(process.env.PORT ?? 8080);
  const timeoutMs = functionTimeoutMs(process.env);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${process.env.PORT}"`);
  if (!(timeoutMs > 0)) throw new Error('FUNCTION_TIMEOUT_SECONDS must be a positive number');

  const session = await openCommandSession(line, process.stdout);
  const host = await startFunctionHost({
    runtime: session.runtime,
    port,
    token: session.token,
    timeoutMs,
  }).catch(async (error: unknown) => {
    await session.close();
    throw error;
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    await session.close();
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const withApiKey = Boolean(process.env.HTTP_API_KEY);
  const lines = [
    `yc-operation-canceller: dist/index.js serving at ${host.url}`,
    '  (only there: the path is a secret made for this run, and requests from web pages are refused)',
    `mode: ${session.mode}`,
    ...session.notes,
    ...(session.seeded.length > 0
      ? [
          'seeded operations:',
          ...session.seeded.map(
            (s) => `  ${s.operation.id}  ${s.operation.description}: ${s.story}`,
          ),
        ]
      : []),
    withApiKey ? 'try, with HTTP_API_KEY set in that shell too:' : 'try:',
    `  ${curlCommand(host.url, session, withApiKey)}`,
    'function log lines follow; Ctrl-C stops',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

runCommand('npm start', main);
