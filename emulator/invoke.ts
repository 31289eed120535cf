import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildIfNeeded } from './build-if-needed';
import { logPrinter } from './pretty-log';
import { openSession } from './session';

const USAGE = `usage: npm run invoke -- <event.json | -> [--real [--cancel]]
  invokes dist/index.js once with the event (a file, or - for standard input) and prints the reply;
  the function's log lines go to standard error. Flags as for npm start.
environment: FUNCTION_TIMEOUT_SECONDS (default 60), and the function's own settings`;

function readEvent(source: string): unknown {
  const text = readFileSync(source === '-' ? 0 : source, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    // A raw invocation's body need not be JSON: the runtime passes such text as it is.
    return text;
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { real: { type: 'boolean' }, cancel: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  const [source] = positionals;
  if (values.help || source === undefined || positionals.length > 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.cancel && !values.real) throw new Error('--cancel only applies with --real');
  const event = readEvent(source);
  buildIfNeeded();
  const session = await openSession({
    real: values.real ?? false,
    cancel: values.cancel ?? false,
    env: process.env,
    onLogLine: logPrinter(process.stderr),
  });
  try {
    console.error(`mode: ${session.mode}`);
    const timeoutMs = Number(process.env.FUNCTION_TIMEOUT_SECONDS ?? 60) * 1000;
    const invocation = await session.runtime.invoke(event, { token: session.token, timeoutMs });
    if (invocation.ok) {
      console.log(JSON.stringify(invocation.result, null, 2) ?? 'undefined');
      return 0;
    }
    // What the platform reports for a function that threw.
    console.log(
      JSON.stringify(
        { errorMessage: invocation.error?.message, errorType: invocation.error?.type },
        null,
        2,
      ),
    );
    return 1;
  } finally {
    await session.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`npm run invoke: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
