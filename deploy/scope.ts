/**
 * How far the function's sweeps may reach, as its environment limits them: ALLOWED_FOLDERS and
 * ALLOWED_CLOUDS, comma-separated ids. Without either, the service account's own roles are the
 * only bound, which whoever reviews the plan has to know.
 */
export function sweepScope(environment: Readonly<Record<string, string>>): string {
  const ids = (name: string) =>
    (environment[name] ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
  const folders = ids('ALLOWED_FOLDERS');
  const clouds = ids('ALLOWED_CLOUDS');
  if (folders.length === 0 && clouds.length === 0) {
    return 'scope: any folder the service account can see';
  }
  const listed = [
    ...(folders.length > 0 ? [`folders ${folders.join(', ')} (ALLOWED_FOLDERS)`] : []),
    ...(clouds.length > 0 ? [`clouds ${clouds.join(', ')} (ALLOWED_CLOUDS)`] : []),
  ];
  return `scope: ${listed.join('; ')}`;
}
