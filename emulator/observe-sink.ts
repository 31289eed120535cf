import http from 'node:http';
import { closeServer, listen } from './listen';

/**
 * What the function would have sent Monitoring and a webhook, shown instead of sent: a loopback
 * server taking the Monitoring data write API's requests and a Slack-style webhook's, and
 * printing one line for each.
 */
export interface ObserveSink {
  /** The function's settings that point its metrics and messages here. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

const WRITE_PATH = '/monitoring/v2/data/write';
const HOOK_PATH = '/hook';

interface Point {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The points worth a glance: those that are not zero. */
function describeMetrics(points: readonly Point[]): string {
  const shown = points
    .filter((p) => p.value !== 0)
    .map((p) => {
      const labels = Object.entries(p.labels).map(([k, v]) => `${k}=${v}`);
      return `${p.name}{${labels.join(',')}}=${p.value}`;
    });
  return `metrics written to Monitoring: ${shown.join(' ')}`;
}

export async function startObserveSink(print: (line: string) => void): Promise<ObserveSink> {
  const server = http.createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const path = new URL(req.url ?? '/', 'http://sink').pathname;
    try {
      const body = JSON.parse(text) as { metrics?: Point[]; text?: string };
      if (path === WRITE_PATH) print(describeMetrics(body.metrics ?? []));
      else if (path === HOOK_PATH) print(`message sent: ${body.text ?? ''}`);
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify(
          path === WRITE_PATH ? { writtenMetricsCount: body.metrics?.length ?? 0 } : { ok: true },
        ),
      );
    } catch {
      res.statusCode = 400;
      res.end();
    }
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  return {
    env: {
      METRICS_FOLDER_ID: 'emulatorfolder',
      YC_MONITORING_URL: url,
      NOTIFY_WEBHOOK_URL: `${url}${HOOK_PATH}`,
      NOTIFY_FORMAT: 'slack',
    },
    close: () => closeServer(server).catch(() => {}),
  };
}
