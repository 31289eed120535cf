import { readFileSync } from 'node:fs';
import {
  functionTimeoutMs,
  openCommandSession,
  parseCommandLine,
  refuseFlagConflicts,
  runCommand,
} from './cli';
import { EXIT, exitCodeOf } from './exit-code';

const USAGE = `usage: npm run -s invoke -- <file | -> [--real [--cancel] [--fan-out FUNCTION_ID]] [--deny KIND[,KIND...]] [--allow-failures]
  invokes dist/index.js once with the file's text (or standard input's, for -) as the data, as
  \`yc serverless function invoke -d @<file>\` does: JSON is the event, other text arrives as
  {"payload": "<text>"}. Prints the reply on standard output, and nothing else there; the
  function's log lines go to standard error. Flags as for npm start.
exit: 0 done; 1 the function threw, refused the request, or an operation ended failed or denied
  (--allow-failures: only the first two); 2 usage
environment: FUNCTION_TIMEOUT_SECONDS (default 60), and the function's own settings`;

async function main(): Promise<number> {
  const line = parseCommandLine(process.argv.slice(2), { allowPositionals: true });
  const [source] = line.positionals;
  if (line.help || source === undefined || line.positionals.length > 1) {
    console.error(USAGE);
    return line.help ? EXIT.ok : EXIT.usage;
  }
  refuseFlagConflicts(line);
  // As it is, final line break and all: the runtime, not this command, makes the event of it.
  const data = readFileSync(source === '-' ? 0 : source, 'utf8');
  const session = await openCommandSession(line, process.stderr);
  try {
    console.error(`mode: ${session.mode}`);
    for (const note of session.notes) console.error(note);
    const timeoutMs = functionTimeoutMs(process.env);
    const invocation = await session.runtime.invokeData(data, { token: session.token, timeoutMs });
    // The runtime's body: the result's JSON, or for a function that threw the platform's
    // {errorMessage, errorType, stackTrace}. A result of undefined has none.
    const result: unknown = invocation.body === '' ? undefined : JSON.parse(invocation.body);
    if (result !== undefined) console.log(JSON.stringify(result, null, 2));
    return exitCodeOf(invocation.ok, result, line.allowFailures);
  } finally {
    await session.close();
  }
}

runCommand('npm run invoke', main);
