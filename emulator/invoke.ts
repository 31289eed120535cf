import { readFileSync } from 'node:fs';
import {
  functionTimeoutMs,
  openCommandSession,
  parseCommandLine,
  refuseCancelWithoutReal,
  runCommand,
} from './cli';

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
  const line = parseCommandLine({ allowPositionals: true });
  const [source] = line.positionals;
  if (line.help || source === undefined || line.positionals.length > 1) {
    console.error(USAGE);
    return line.help ? 0 : 2;
  }
  refuseCancelWithoutReal(line);
  const event = readEvent(source);
  const session = await openCommandSession(line, process.stderr);
  try {
    console.error(`mode: ${session.mode}`);
    const timeoutMs = functionTimeoutMs(process.env);
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

runCommand('npm run invoke', main);
