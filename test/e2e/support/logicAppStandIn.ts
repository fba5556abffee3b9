// A real HTTP server standing in for Logic Apps' callback endpoint (what listCallbackUrl() returns): it records
// every POST and answers with the statuses a test scripts (200 when the script runs out). Tests wait for a
// request to arrive here, never for time to pass.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback { path: string; headers: http.IncomingHttpHeaders; body: unknown }

export class LogicAppStandIn {
  readonly received: ReceivedCallback[] = [];
  private readonly answers = new Map<string, number[]>();
  private readonly waiters: Array<{ path: string; count: number; resolve: () => void }> = [];
  private server: http.Server | undefined;
  private port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = Buffer.concat(chunks).toString('utf8');
        }
        this.received.push({ path, headers: request.headers, body });
        const status = this.answers.get(path)?.shift() ?? 200;
        response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
        for (const waiter of this.waiters.filter((w) => this.count(w.path) >= w.count)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** A callback URL shaped like Logic Apps' (a SAS signature in the query), unique per call. */
  callbackUrl(name: string): string {
    return `http://127.0.0.1:${this.port}/workflows/${name}/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=secret-${name}-signature`;
  }

  /** The statuses to answer, in order, to POSTs at this URL's path. */
  script(url: string, statuses: number[]): void {
    this.answers.set(this.pathOf(url), [...statuses]);
  }

  requestsFor(url: string): ReceivedCallback[] {
    const path = this.pathOf(url);
    return this.received.filter((r) => r.path === path);
  }

  /** Resolves once `count` callbacks have arrived at this URL. */
  waitFor(url: string, count: number): Promise<void> {
    const path = this.pathOf(url);
    if (this.count(path) >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ path, count, resolve }));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  private count(path: string): number {
    return this.received.filter((r) => r.path === path).length;
  }

  private pathOf(url: string): string {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  }
}
