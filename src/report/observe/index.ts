import type { Config } from '../../config';
import { type Logger, LogLevel } from '../../log';
import type { Report, Source } from '../../model';
import { messageBody } from './message';
import { metricsOf, writeFailure, writeUrl } from './metrics';
import { noteworthy } from './notify';
import { postJson } from './post';

export interface ObserveContext {
  readonly source: Source;
  readonly config: Config;
  /** The function's IAM token, for Monitoring; undefined when none could be had. */
  readonly token: string | undefined;
  readonly dryRun: boolean;
  /** How long both may take in all: they must never hold the reply up for long. */
  readonly deadlineMs: number;
  readonly log: Logger;
}

/**
 * After an invocation: one write of its metrics to Monitoring, and one message when something
 * happened. Neither can fail the invocation or change its reply; a failure is one WARN line.
 * It is the entry of dist/observe.js (the `#observe` import), loaded only when either is set.
 */
export async function observe(report: Report, ctx: ObserveContext): Promise<void> {
  const { config, log } = ctx;
  const tasks: Array<Promise<void>> = [];
  if (config.metricsFolderId !== undefined) {
    tasks.push(
      (async () => {
        if (ctx.token === undefined) {
          log.log(LogLevel.Warn, 'metrics not written', { reason: 'no IAM token' });
          return;
        }
        const outcome = await postJson(
          writeUrl(config.monitoringUrl, config.metricsFolderId as string),
          { metrics: metricsOf(report, ctx.source) },
          { Authorization: `Bearer ${ctx.token}` },
          ctx.deadlineMs,
          writeFailure,
        );
        if (!outcome.ok) log.log(LogLevel.Warn, 'metrics not written', { reason: outcome.reason });
      })(),
    );
  }
  const note = config.notifyWebhookUrl === undefined ? undefined : noteworthy(report, ctx.dryRun);
  if (note !== undefined) {
    tasks.push(
      (async () => {
        const body = messageBody(note, config.notifyFormat, config.notifyChatId);
        const outcome = await postJson(config.notifyWebhookUrl as string, body, {}, ctx.deadlineMs);
        if (!outcome.ok)
          log.log(LogLevel.Warn, 'notification not sent', { reason: outcome.reason });
      })(),
    );
  }
  await Promise.all(tasks);
}
