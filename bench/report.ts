/**
 * A limit from the issue: a ratio to the baseline in the same run, an absolute ceiling, or a
 * ceiling on how much the project's number is above the baseline's.
 */
export type Budget =
  | { kind: 'ratio'; max: number }
  | { kind: 'absolute'; max: number }
  | { kind: 'above'; max: number };

export interface Row {
  metric: string;
  unit: 'ms' | 'MB' | 'KB' | 'calls';
  project: number;
  baseline?: number;
  budget?: Budget;
  /** Set when the run failed outright, as when the kernel killed it: the budget is missed. */
  failed?: string;
}

export interface Verdict {
  ok: boolean;
  /** How far over the budget, in the row's unit; 0 when within it. */
  over: number;
  text: string;
}

function amount(value: number, unit: Row['unit']): string {
  const whole = unit === 'calls' || (unit === 'ms' && value >= 100);
  return `${value.toFixed(whole ? 0 : 1)} ${unit}`;
}

export function ratioOf(row: Row): number | undefined {
  return row.baseline === undefined || row.baseline === 0 ? undefined : row.project / row.baseline;
}

function limitOf(budget: Budget, baseline = Number.NaN): number {
  if (budget.kind === 'absolute') return budget.max;
  return budget.kind === 'ratio' ? budget.max * baseline : baseline + budget.max;
}

export function verdictOf(row: Row): Verdict | undefined {
  const { budget } = row;
  if (budget === undefined) return undefined;
  if (row.failed !== undefined)
    return { ok: false, over: Number.NaN, text: `FAILED: ${row.failed}` };
  const limit = limitOf(budget, row.baseline);
  const over = row.project - limit;
  if (over <= 0) return { ok: true, over: 0, text: 'OK' };
  const percent = ((over / limit) * 100).toFixed(0);
  return {
    ok: false,
    over,
    text: `MISSED by ${amount(over, row.unit)} (+${percent}% over ${amount(limit, row.unit)})`,
  };
}

function budgetText(budget: Budget | undefined, unit: Row['unit']): string {
  if (budget === undefined) return '-';
  if (budget.kind === 'ratio') return `<= ${budget.max}x`;
  return budget.kind === 'above' ? `<= +${budget.max} ${unit}` : `<= ${budget.max} ${unit}`;
}

/** Plain text, one row per metric, columns padded to their widest cell. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['metric', 'project (median)', 'baseline (median)', 'ratio', 'budget', 'verdict'];
  const cells = rows.map((row) => {
    const ratio = ratioOf(row);
    return [
      row.metric,
      amount(row.project, row.unit),
      row.baseline === undefined ? '-' : amount(row.baseline, row.unit),
      ratio === undefined ? '-' : `${ratio.toFixed(2)}x`,
      budgetText(row.budget, row.unit),
      verdictOf(row)?.text ?? '-',
    ];
  });
  const widths = header.map((_, i) =>
    Math.max(...[header, ...cells].map((c) => c[i]?.length ?? 0)),
  );
  const line = (c: readonly string[]) =>
    c
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(header), rule, ...cells.map(line)].join('\n');
}
