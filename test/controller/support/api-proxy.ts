/**
 * An HTTP proxy in front of the twin's API that a test can cut (a network partition: requests go
 * unanswered) or make slow (answers held back until released), to put one client, and only that
 * one, in the situations leader election must survive.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

export class ApiProxy {
  readonly url: string;
  private readonly server: Server;
  private readonly target: URL;
  private mode: "pass" | "cut" | "hold" = "pass";
  /** Requests left unanswered while cut. */
  private readonly stranded = new Set<ServerResponse>();
  /** Answers held back, with the method and path they answer. */
  private readonly held: { readonly what: string; readonly send: () => void }[] = [];
  /** Every request that went through, as "METHOD path status". */
  readonly log: string[] = [];

  private constructor(server: Server, target: string) {
    this.server = server;
    this.target = new URL(target);
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(target: string): Promise<ApiProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const proxy = new ApiProxy(server, target);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => proxy.handle(req, res));
    return proxy;
  }

  /** From now on requests get no answer, as behind a partition. */
  cut(): void {
    this.mode = "cut";
  }

  heal(): void {
    this.mode = "pass";
    for (const response of this.stranded) response.destroy();
    this.stranded.clear();
  }

  /** From now on requests reach the API, but their answers wait for `releaseAnswers`. */
  holdAnswers(): void {
    this.mode = "hold";
  }

  /** What is held back, as "METHOD path" each. */
  heldAnswers(): string[] {
    return this.held.map((entry) => entry.what);
  }

  releaseAnswers(): void {
    this.mode = "pass";
    for (const entry of this.held.splice(0)) entry.send();
  }

  async close(): Promise<void> {
    this.heal();
    this.releaseAnswers();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.mode === "cut") {
      this.stranded.add(res);
      res.on("close", () => this.stranded.delete(res));
      req.resume();
      return;
    }
    const holding = this.mode === "hold";
    const what = `${req.method ?? "GET"} ${req.url ?? "/"}`;
    void this.forward(req).then(
      (answer) => {
        this.log.push(`${what} ${answer.status}`);
        const send = (): void => {
          if (!res.destroyed) res.writeHead(answer.status, endToEnd(answer)).end(answer.body);
        };
        if (holding) this.held.push({ what, send });
        else send();
      },
      () => res.destroy(),
    );
  }

  private forward(req: IncomingMessage): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const upstream = request(
        { host: this.target.hostname, port: this.target.port, path: req.url, method: req.method, headers: req.headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }),
          );
          response.on("error", reject);
        },
      );
      upstream.on("error", reject);
      req.pipe(upstream);
    });
  }
}

/** The upstream headers minus the hop-by-hop ones; the body goes out whole, with its length. */
function endToEnd(answer: Answer): IncomingMessage["headers"] {
  const { connection: _connection, "transfer-encoding": _encoding, "keep-alive": _keepAlive, ...rest } = answer.headers;
  return { ...rest, "content-length": String(answer.body.length) };
}
