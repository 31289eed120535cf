/**
 * How long a timer trigger's cron leaves between runs, for the alert on a missed run (alerts.ts).
 * Only a cron that runs every day has one gap that holds all year; one of chosen days, months or
 * years (L, W, #, lists of days) has gaps that vary, so it gets none. Expects an expression
 * cronProblems (cron.ts) accepts.
 */

const MINUTES_IN_DAY = 24 * 60;

/** Every value a minutes or hours field picks: `*`, `5`, `1-5`, each maybe `/step`; `a/step` runs to max. */
function values(text: string, max: number): number[] | undefined {
  const picked = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^(?:(\*)|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!match) return undefined;
    const [, star, from, to, step] = match;
    const first = star ? 0 : Number(from);
    const last = to !== undefined ? Number(to) : star || step ? max : first;
    // Quartz wraps a range that runs backwards (22-2); rare enough to leave without a gap.
    if (last < first) return undefined;
    for (let v = first; v <= last; v += Number(step ?? 1)) picked.add(v);
  }
  return [...picked].sort((a, b) => a - b);
}

const everyDay = (dayOfMonth = '', month = '', dayOfWeek = '', year = '*') =>
  ['*', '?'].includes(dayOfMonth) &&
  month === '*' &&
  ['*', '?'].includes(dayOfWeek) &&
  year === '*';

/** The longest time between two runs of a cron that runs every day, in minutes; else undefined. */
export function longestGapMinutes(expression: string): number | undefined {
  const [minutes = '', hours = '', dayOfMonth, month, dayOfWeek, year] = expression
    .trim()
    .toUpperCase()
    .split(/\s+/);
  if (!everyDay(dayOfMonth, month, dayOfWeek, year)) return undefined;
  const ms = values(minutes, 59);
  const hs = values(hours, 23);
  if (!ms?.length || !hs?.length) return undefined;
  const times = hs.flatMap((h) => ms.map((m) => h * 60 + m));
  const gaps = times.map((t, i) => (times[i + 1] ?? (times[0] ?? 0) + MINUTES_IN_DAY) - t);
  return Math.max(...gaps);
}
