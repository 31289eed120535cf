import { ConfigError, loadConfig, scopeText } from '../../../deploy-api';

/**
 * How far the function's sweeps may reach, as its environment limits them (ALLOWED_FOLDERS,
 * ALLOWED_CLOUDS), read as the function reads them, in the words its first line uses. Without
 * either, the service account's own roles are the only bound, which whoever reviews the plan has
 * to know. A value the function would refuse is a refusal here: it would fail every invocation.
 */
export function sweepScope(environment: Readonly<Record<string, string>>): {
  readonly line: string;
  readonly refusal?: string;
} {
  const { ALLOWED_FOLDERS, ALLOWED_CLOUDS } = environment;
  try {
    const { policy } = loadConfig({ ALLOWED_FOLDERS, ALLOWED_CLOUDS });
    return { line: `scope: ${scopeText(policy)}` };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { line: 'scope: unreadable', refusal: `environment: ${error.message}` };
  }
}
