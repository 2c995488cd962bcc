/**
 * The three Lease calls leader election makes (read, create, replace), each cut off after a
 * timeout so a partitioned API server cannot hang the election. A missing lease reads as
 * undefined and a 409 (someone else wrote first) comes back as data, since both are expected.
 */
import {
  ApiException,
  type ConfigurationOptions,
  CoordinationV1Api,
  type KubeConfig,
  Observable,
  type V1Lease,
  type V1LeaseSpec,
} from "@kubernetes/client-node";

export type WriteResult = { readonly lease: V1Lease } | { readonly conflict: string };

export interface LeaseClientOptions {
  readonly kubeconfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly timeoutMs: number;
}

export class LeaseClient {
  private readonly api: CoordinationV1Api;
  private readonly namespace: string;
  private readonly name: string;
  private readonly timeoutMs: number;

  constructor(options: LeaseClientOptions) {
    this.api = options.kubeconfig.makeApiClient(CoordinationV1Api);
    this.namespace = options.namespace;
    this.name = options.name;
    this.timeoutMs = options.timeoutMs;
  }

  /** "namespace/name", for logs and errors. */
  get key(): string {
    return `${this.namespace}/${this.name}`;
  }

  async read(): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ namespace: this.namespace, name: this.name }, this.callOptions());
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  create(spec: V1LeaseSpec): Promise<WriteResult> {
    const body: V1Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.name, namespace: this.namespace },
      spec,
    };
    return written(this.api.createNamespacedLease({ namespace: this.namespace, body }, this.callOptions()));
  }

  /** Replaces the spec of the lease as it was read; its resourceVersion makes a stale write a 409. */
  replace(current: V1Lease, spec: V1LeaseSpec): Promise<WriteResult> {
    const body: V1Lease = { ...current, spec };
    const request = { namespace: this.namespace, name: this.name, body };
    return written(this.api.replaceNamespacedLease(request, this.callOptions()));
  }

  private callOptions(): ConfigurationOptions {
    const timeoutMs = this.timeoutMs;
    return {
      middleware: [
        {
          pre: (context) => {
            context.setSignal(AbortSignal.timeout(timeoutMs));
            return new Observable(Promise.resolve(context));
          },
          post: (response) => new Observable(Promise.resolve(response)),
        },
      ],
      // Keep client-node's own middleware (its User-Agent header) and add ours.
      middlewareMergeStrategy: "append",
    };
  }
}

async function written(request: Promise<V1Lease>): Promise<WriteResult> {
  try {
    return { lease: await request };
  } catch (error) {
    if (statusOf(error) === 409) return { conflict: messageOf(error) };
    throw error;
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** The API server's Status message when there is one, else the error's own. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    const parsed = typeof body === "string" ? safeParse(body) : body;
    const message = (parsed as { message?: unknown } | undefined)?.message;
    if (typeof message === "string") return message;
  }
  return error instanceof Error ? error.message : String(error);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
