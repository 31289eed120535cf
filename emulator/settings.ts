import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../build-if-needed';
import { loadConfig, SETTING_NAMES } from '../src/config';
import { scopeText } from '../src/request/scope';

/** The function's documented settings (README, Configuration), which a local run passes on. */
export const FUNCTION_SETTINGS = [...SETTING_NAMES.plain, ...SETTING_NAMES.secret];

/** Shown as set, never by value. */
const SECRETS: ReadonlySet<string> = new Set(SETTING_NAMES.secret);
const KNOWN: ReadonlySet<string> = new Set(FUNCTION_SETTINGS);

export interface LocalSettings {
  /** What the function gets: function.yaml's environment, then the shell's (the shell wins). */
  readonly env: Record<string, string>;
  /** For the banner: the settings that differ from the defaults, and typos. */
  readonly notes: readonly string[];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(
        above + 1,
        (row[j - 1] as number) + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The known setting a name is a likely typo of, if any. */
export function likelyTypo(name: string): string | undefined {
  if (KNOWN.has(name)) return undefined;
  return FUNCTION_SETTINGS.find((known) => distance(name.toUpperCase(), known) <= 2);
}

/** function.yaml's `environment`, read loosely: a local run should not need a valid manifest. */
function manifestEnvironment(file: string): Record<string, string> {
  try {
    const { environment } = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as {
      environment?: unknown;
    };
    if (typeof environment !== 'object' || environment === null) return {};
    return Object.fromEntries(
      Object.entries(environment).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return {};
  }
}

/** Whether a value is the default, as the function itself would read it. */
function isDefault(name: string, value: string): boolean {
  try {
    return JSON.stringify(loadConfig({ [name]: value })) === JSON.stringify(loadConfig({}));
  } catch {
    return false;
  }
}

/**
 * The settings a local run gives the function: function.yaml's `environment`, then every
 * documented variable the shell sets. Names close to ours that are not ours get a warning.
 */
export function localSettings(
  shell: NodeJS.ProcessEnv,
  manifest = path.join(ROOT, 'function.yaml'),
): LocalSettings {
  const fromManifest = manifestEnvironment(manifest);
  const fromShell = Object.fromEntries(
    FUNCTION_SETTINGS.flatMap((n) => (shell[n] === undefined ? [] : [[n, shell[n] as string]])),
  );
  const env = { ...fromManifest, ...fromShell };
  const shown = Object.entries(env)
    .filter(([name, value]) => KNOWN.has(name) && !isDefault(name, value))
    .map(([name, value]) => {
      const where = name in fromShell ? 'shell' : 'function.yaml';
      return `${name}=${SECRETS.has(name) ? '(set)' : value} (${where})`;
    });
  const typos = [...Object.keys(fromManifest), ...Object.keys(shell)].flatMap((name) => {
    const meant = likelyTypo(name);
    return meant === undefined
      ? []
      : [`warning: ${name} is not a setting of the function; did you mean ${meant}?`];
  });
  return {
    env,
    notes: [
      ...(shown.length > 0 ? [`settings: ${shown.join(', ')}`] : []),
      ...scopeNote(env),
      ...typos,
    ],
  };
}

/** What any caller of the function may reach, as its first line on each invocation says too. */
function scopeNote(env: Record<string, string>): string[] {
  try {
    return [`scope: ${scopeText(loadConfig(env).policy)}`];
  } catch {
    // A bad setting is the function's to report, at its first invocation.
    return [];
  }
}
