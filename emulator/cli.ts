import { parseArgs } from 'node:util';
import { buildIfNeeded } from '../build-if-needed';
import { RESOURCE_KINDS, type ResourceKind } from '../src/model';
import { logPrinter } from './pretty-log';
import { openSession, type Session, type SessionOptions } from './session';
import { terminalSafe } from './terminal-text';

/** A function's id (lowercase letters and digits): it goes in the URL hand-offs are posted to. */
const FUNCTION_ID = /^[a-z0-9]{1,50}$/;

// Both commands take the same flags, so one can be tried like the other.
const FLAGS = {
  real: { type: 'boolean' },
  deny: { type: 'string' },
  cancel: { type: 'boolean' },
  'fan-out': { type: 'string' },
  help: { type: 'boolean' },
  'allow-failures': { type: 'boolean' },
} as const;

export interface CommandLine extends Pick<SessionOptions, 'real' | 'cancel' | 'fanOut'> {
  /** The kinds the emulator refuses to list. */
  readonly deny: readonly ResourceKind[];
  readonly help: boolean;
  /** npm run invoke: exit 0 even when operations failed or were denied. */
  readonly allowFailures: boolean;
  readonly positionals: readonly string[];
}

export function parseCommandLine(
  args: readonly string[],
  opts: { allowPositionals: boolean },
): CommandLine {
  const { values, positionals } = parseArgs({ args: [...args], ...opts, options: FLAGS });
  return {
    help: values.help ?? false,
    real: values.real ?? false,
    cancel: values.cancel ?? false,
    ...(values['fan-out'] !== undefined && { fanOut: values['fan-out'] }),
    deny: deniedKinds(values.deny),
    allowFailures: values['allow-failures'] ?? false,
    positionals,
  };
}

/** `--deny compute.disk,k8s.cluster`: the kinds the emulator refuses to list, each known. */
function deniedKinds(given: string | undefined): ResourceKind[] {
  const kinds = (given ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const unknown = kinds.filter((k) => !(RESOURCE_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new Error(
      `--deny names no kind ${unknown.join(', ')}; the kinds are ${RESOURCE_KINDS.join(', ')}`,
    );
  }
  return kinds as ResourceKind[];
}

/** Called once --help has had its say, which explains rather than refuses. */
export function refuseFlagConflicts(line: CommandLine): void {
  if (line.cancel && !line.real) throw new Error('--cancel only applies with --real');
  if (line.fanOut !== undefined && !line.real) {
    throw new Error(
      '--fan-out only applies with --real: the embedded emulator sweeps every folder itself',
    );
  }
  if (line.fanOut !== undefined && !FUNCTION_ID.test(line.fanOut)) {
    throw new Error(
      '--fan-out takes the id of the deployed function to hand folders on to (lowercase letters and digits, such as d4e…)',
    );
  }
  if (line.deny.length > 0 && line.real)
    throw new Error('--deny applies to the embedded emulator, not with --real');
}

export const functionTimeoutMs = (env: NodeJS.ProcessEnv): number =>
  Number(env.FUNCTION_TIMEOUT_SECONDS ?? 60) * 1000;

/** The function's log lines go to `log`, leaving the other stream to the command's own output. */
export function openCommandSession(line: CommandLine, log: NodeJS.WriteStream): Promise<Session> {
  buildIfNeeded();
  return openSession({
    real: line.real,
    cancel: line.cancel,
    ...(line.fanOut !== undefined && { fanOut: line.fanOut }),
    deny: line.deny,
    env: process.env,
    onLogLine: logPrinter(log),
    // A message the function would have sent can hold what a caller chose: one line at a time,
    // each made safe for a terminal.
    onEmulatorLine: (line) => log.write(`${line.split('\n').map(terminalSafe).join('\n')}\n`),
  });
}

/**
 * Exits with the code `main` resolves to, or 1 with why it failed. Resolving to nothing leaves
 * the process to what `main` started, as a server that runs until stopped.
 */
export function runCommand(name: string, main: () => Promise<number | undefined>): void {
  main().then(
    (code) => {
      if (code !== undefined) process.exit(code);
    },
    (error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
