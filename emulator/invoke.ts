import { readFileSync } from 'node:fs';
import {
  functionTimeoutMs,
  openCommandSession,
  parseCommandLine,
  refuseCancelWithoutReal,
  runCommand,
} from './cli';

const USAGE = `usage: npm run invoke -- <file | -> [--real [--cancel]]
  invokes dist/index.js once with the file's text (or standard input's, for -) as the data, as
  \`yc serverless function invoke -d @<file>\` does: JSON is the event, other text arrives as
  {"payload": "<text>"}. Prints the reply; the function's log lines go to standard error.
  Flags as for npm start.
environment: FUNCTION_TIMEOUT_SECONDS (default 60), and the function's own settings`;

async function main(): Promise<number> {
  const line = parseCommandLine({ allowPositionals: true });
  const [source] = line.positionals;
  if (line.help || source === undefined || line.positionals.length > 1) {
    console.error(USAGE);
    return line.help ? 0 : 2;
  }
  refuseCancelWithoutReal(line);
  // As it is, final line break and all: the runtime, not this command, makes the event of it.
  const data = readFileSync(source === '-' ? 0 : source, 'utf8');
  const session = await openCommandSession(line, process.stderr);
  try {
    console.error(`mode: ${session.mode}`);
    const timeoutMs = functionTimeoutMs(process.env);
    const invocation = await session.runtime.invokeData(data, { token: session.token, timeoutMs });
    // The runtime's body: the result's JSON, or for a function that threw the platform's
    // {errorMessage, errorType, stackTrace}. A result of undefined has none.
    if (invocation.body !== '') console.log(JSON.stringify(JSON.parse(invocation.body), null, 2));
    return invocation.ok ? 0 : 1;
  } finally {
    await session.close();
  }
}

runCommand('npm run invoke', main);
