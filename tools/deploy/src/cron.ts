/**
 * A timer trigger's cron expression, checked as Yandex Cloud documents it
 * (docs `_includes/functions/cron-expression.md`): `Minutes Hours Day-of-month Month Day-of-week
 * [Year]`, names and special characters case-insensitive. The format is Quartz's without its
 * seconds field, and the rules the docs leave implicit are Quartz's (org.quartz.CronExpression):
 * L, W and # stand alone, # takes a week 1 to 5, and a step is at most the field's largest value.
 */

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for min, min + 1, ...: JAN-DEC, SUN-SAT. */
  readonly names?: readonly string[];
  /** What the field accepts, for a message. */
  readonly accepts: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
// "L in Day of week ... means the last day of the week, 7 (Saturday, SAT)", and "6#3 ... 6 — Friday":
// 1 is Sunday, as in Quartz.
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const MINUTES: Field = { name: 'minutes', min: 0, max: 59, accepts: '0-59, with , - * /' };
const HOURS: Field = { name: 'hours', min: 0, max: 23, accepts: '0-23, with , - * /' };
const DAY_OF_MONTH: Field = {
  name: 'day-of-month',
  min: 1,
  max: 31,
  accepts: '1-31, with , - * / ? L W',
};
const MONTH: Field = {
  name: 'month',
  min: 1,
  max: 12,
  names: MONTHS,
  accepts: '1-12 or JAN-DEC, with , - * /',
};
const DAY_OF_WEEK: Field = {
  name: 'day-of-week',
  min: 1,
  max: 7,
  names: DAYS,
  accepts: '1-7 or SUN-SAT, with , - * / ? L #',
};
const YEAR: Field = { name: 'year', min: 1970, max: 2099, accepts: '1970-2099, with , - * /' };
const FIELDS = [MINUTES, HOURS, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR] as const;

const VALUE = '(\\d+|[A-Z]{3})';
/** L, W and # as the day fields have them, to tell one in a list. */
const SPECIAL = new RegExp(`^(?:LW?|\\d+W|${VALUE}L|${VALUE}#\\d+)$`);
const ITEM = new RegExp(`^(?:(\\*)|${VALUE}(?:-${VALUE})?)(?:/(\\d+))?$`);

/** A value's number, or undefined when it is neither a number nor one of the field's names. */
function numberOf(text: string, field: Field): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text) ?? -1;
  return index < 0 ? undefined : field.min + index;
}

function notUnderstood(field: Field, text: string): string {
  return `${field.name} "${text}" is not understood: expected ${field.accepts}`;
}

function inRange(field: Field, value: number, shown: string | number = value): string | undefined {
  return value < field.min || value > field.max
    ? `${field.name} ${shown} is out of range ${field.min}-${field.max}`
    : undefined;
}

/** One item of a list: `*`, `5`, `MON`, `1-5`, `FRI-MON` (Quartz wraps it), each maybe `/step`. */
function itemProblem(field: Field, text: string): string | undefined {
  const match = ITEM.exec(text);
  if (!match) return notUnderstood(field, text);
  const [, , from, to, step] = match;
  for (const part of [from, to]) {
    if (part === undefined) continue;
    const value = numberOf(part, field);
    if (value === undefined) return notUnderstood(field, text);
    const problem = inRange(field, value, part);
    if (problem) return problem;
  }
  if (field === YEAR && from !== undefined && to !== undefined && Number(to) < Number(from)) {
    return `year range ${text} runs backwards`;
  }
  if (step !== undefined) {
    const increment = Number(step);
    // org.quartz.CronExpression refuses an increment past the field's largest value; a year has none.
    const most = field === YEAR ? Number.POSITIVE_INFINITY : field.max;
    if (increment < 1 || increment > most) {
      return field === YEAR
        ? `year step ${step} is not at least 1`
        : `${field.name} step ${step} is out of range 1-${field.max}`;
    }
  }
  return undefined;
}

/** `L`, `LW` and `15W` in day-of-month; `L`, `6L` and `6#3` in day-of-week: each on its own. */
function specialProblem(field: Field, text: string): string | undefined | null {
  if (field === DAY_OF_MONTH) {
    if (text === 'L' || text === 'LW') return undefined;
    const weekday = /^(\d+)W$/.exec(text);
    if (weekday) return inRange(field, Number(weekday[1]), text);
  }
  if (field === DAY_OF_WEEK) {
    if (text === 'L') return undefined;
    const last = new RegExp(`^${VALUE}L$`).exec(text);
    const nth = new RegExp(`^${VALUE}#(\\d+)$`).exec(text);
    const day = last?.[1] ?? nth?.[1];
    if (day !== undefined) {
      const value = numberOf(day, field);
      if (value === undefined) return notUnderstood(field, text);
      const problem = inRange(field, value, text);
      if (problem) return problem;
      const week = Number(nth?.[2] ?? 1);
      return week < 1 || week > 5
        ? `day-of-week ${text}: the week of the month ${week} is out of range 1-5`
        : undefined;
    }
  }
  const days = field === DAY_OF_MONTH || field === DAY_OF_WEEK;
  if (days && text.includes(',') && text.split(',').some((item) => SPECIAL.test(item))) {
    return `${field.name} "${text}": L, W and # stand alone, not in a list`;
  }
  return null;
}

function fieldProblem(field: Field, text: string): string | undefined {
  if (text === '?') {
    return field === DAY_OF_MONTH || field === DAY_OF_WEEK ? undefined : notUnderstood(field, text);
  }
  const special = specialProblem(field, text);
  if (special !== null) return special;
  for (const item of text.split(',')) {
    const problem = item === '' ? notUnderstood(field, text) : itemProblem(field, item);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * What is wrong with a cron expression of 5 or 6 fields, one problem a field, each naming the
 * field: `minutes 99 is out of range 0-59`. Empty when Yandex Cloud's format accepts it.
 */
export function cronProblems(expression: string): string[] {
  const texts = expression.trim().toUpperCase().split(/\s+/);
  const problems = texts.flatMap((text, index) => {
    const field = FIELDS[index];
    if (field === undefined) return [];
    const problem = fieldProblem(field, text);
    return problem ? [problem] : [];
  });
  const [dayOfMonth, dayOfWeek] = [texts[2], texts[4]];
  // "You can't fill Day of month and Day of week at the same time ... enter ? in the other."
  if (dayOfMonth !== '?' && dayOfWeek !== '?') {
    problems.push(
      `one of day-of-month ("${dayOfMonth}") and day-of-week ("${dayOfWeek}") must be "?"`,
    );
  } else if (dayOfMonth === '?' && dayOfWeek === '?') {
    problems.push('day-of-month and day-of-week cannot both be "?"');
  }
  return problems;
}
