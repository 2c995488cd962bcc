/**
 * The kustomize base renders, holds the objects PRODUCT.md §3 lists, and its parts fit together:
 * selectors select the pods, the ServiceMonitor finds the Service's port, the pod is hardened
 * and elects its leader over the Lease the Role allows.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { LEADER_LEASE_NAME } from "../../src/controller/kube-access.ts";
import { type Manifest, NAMESPACE, findManifest, renderBase, renderedManifests } from "./manifests.ts";

type Json = Record<string, unknown>;

let manifests: Manifest[];

beforeAll(async () => {
  manifests = await renderedManifests();
});

function at(object: unknown, ...keys: (string | number)[]): unknown {
  let current = object;
  for (const key of keys) current = (current as Record<string | number, unknown> | undefined)?.[key];
  return current;
}

function deployment(): Manifest {
  return findManifest(manifests, "Deployment", "kubedrs");
}

function podSpec(): Json {
  return at(deployment(), "spec", "template", "spec") as Json;
}

function container(): Json {
  return at(podSpec(), "containers", 0) as Json;
}

function podLabels(): Record<string, string> {
  return at(deployment(), "spec", "template", "metadata", "labels") as Record<string, string>;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function flagValue(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

describe("kubectl kustomize deploy/", () => {
  it("exits 0 without warnings", async () => {
    const run = await renderBase();
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  });

  it("renders the objects of the base, each once", () => {
    const kinds = manifests.map((manifest) => manifest.kind).sort();
    expect(kinds).toEqual(
      [
        "ClusterRole",
        "ClusterRoleBinding",
        "ConfigMap",
        ...Array<string>(5).fill("CustomResourceDefinition"),
        "Deployment",
        "Namespace",
        "PodDisruptionBudget",
        "PrometheusRule",
        "Role",
        "RoleBinding",
        "Service",
        "ServiceAccount",
        "ServiceMonitor",
      ].sort(),
    );
  });

  const clusterScoped = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"]);

  it("puts every namespaced object in kubedrs-system and labels every object part of kubedrs", () => {
    const misplaced = manifests
      .filter((manifest) => !clusterScoped.has(manifest.kind) && manifest.metadata.namespace !== NAMESPACE)
      .map((manifest) => `${manifest.kind}/${manifest.metadata.name}`);
    const unlabelled = manifests
      .filter((manifest) => manifest.metadata.labels?.["app.kubernetes.io/part-of"] !== "kubedrs")
      .map((manifest) => `${manifest.kind}/${manifest.metadata.name}`);
    expect({ misplaced, unlabelled }).toEqual({ misplaced: [], unlabelled: [] });
    expect(findManifest(manifests, "Namespace").metadata.name).toBe(NAMESPACE);
  });
});

describe("the controller Deployment", () => {
  it.each([
    ["two replicas", () => at(deployment(), "spec", "replicas"), 2],
    ["the release image", () => container().image, "ghcr.io/kubedrs/kubedrs:0.1.0"],
    ["the kubedrs service account", () => podSpec().serviceAccountName, "kubedrs"],
    ["its token mounted", () => podSpec().automountServiceAccountToken, true],
    ["liveness on /healthz", () => at(container(), "livenessProbe", "httpGet", "path"), "/healthz"],
    ["readiness on /readyz", () => at(container(), "readinessProbe", "httpGet", "path"), "/readyz"],
    ["no priority class (refused outside kube-system)", () => podSpec().priorityClassName, undefined],
    ["a memory limit", () => at(container(), "resources", "limits", "memory"), "512Mi"],
    ["requests", () => at(container(), "resources", "requests"), { cpu: "100m", memory: "256Mi" }],
  ])("runs %s", (_what, read, expected) => {
    expect(read()).toEqual(expected);
  });

  it("runs `run` reading policies from the CRDs and electing a leader over the Role's Lease", () => {
    const args = container().args as string[];
    expect(args[0]).toBe("run");
    expect(flagValue(args, "--policies")).toBe("crd");
    expect(args).toContain("--leader-elect");
    expect(flagValue(args, "--leader-election-id")).toBe(LEADER_LEASE_NAME);
    const role = findManifest(manifests, "Role");
    const names = (role.rules as { resourceNames?: string[] }[]).flatMap((rule) => rule.resourceNames ?? []);
    expect(names).toContain(LEADER_LEASE_NAME);
  });

  it("gives the controller its pod name and namespace from the downward API", () => {
    const env = container().env as { name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[];
    const fields = Object.fromEntries(env.map((entry) => [entry.name, entry.valueFrom?.fieldRef?.fieldPath]));
    expect(fields).toMatchObject({ POD_NAME: "metadata.name", POD_NAMESPACE: "metadata.namespace" });
  });

  it("serves the probes on the port it listens on", () => {
    const args = container().args as string[];
    const ports = container().ports as { name: string; containerPort: number }[];
    expect(ports).toEqual([
      expect.objectContaining({ name: "http", containerPort: Number(flagValue(args, "--port")) }),
    ]);
    expect(at(container(), "livenessProbe", "httpGet", "port")).toBe("http");
  });

  it.each([
    ["pod", () => podSpec().securityContext],
    ["container", () => container().securityContext],
  ])("hardens the %s securityContext", (_level, read) => {
    expect(read()).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
  });

  it("drops every capability, privilege escalation and a writable root filesystem", () => {
    expect(container().securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("spreads the replicas over nodes", () => {
    const spread = at(podSpec(), "topologySpreadConstraints", 0) as Json;
    const antiAffinity = at(
      podSpec(),
      "affinity",
      "podAntiAffinity",
      "preferredDuringSchedulingIgnoredDuringExecution",
      0,
    );
    expect(spread.topologyKey).toBe("kubernetes.io/hostname");
    expect(selects(at(spread, "labelSelector", "matchLabels") as Record<string, string>, podLabels())).toBe(true);
    expect(at(antiAffinity, "podAffinityTerm", "topologyKey")).toBe("kubernetes.io/hostname");
  });
});

describe("the objects around the Deployment", () => {
  it.each([
    ["the Deployment", () => at(deployment(), "spec", "selector", "matchLabels")],
    [
      "the PodDisruptionBudget",
      () => at(findManifest(manifests, "PodDisruptionBudget"), "spec", "selector", "matchLabels"),
    ],
    ["the metrics Service", () => at(findManifest(manifests, "Service"), "spec", "selector")],
  ])("%s selects the controller's pods", (_what, read) => {
    const selector = read() as Record<string, string>;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(selects(selector, podLabels())).toBe(true);
  });

  it("keeps one replica through disruptions", () => {
    expect(at(findManifest(manifests, "PodDisruptionBudget"), "spec", "minAvailable")).toBe(1);
  });

  it("scrapes /metrics through a port the Service has", () => {
    const service = findManifest(manifests, "Service");
    const monitor = findManifest(manifests, "ServiceMonitor");
    const portNames = (at(service, "spec", "ports") as { name: string }[]).map((port) => port.name);
    const endpoint = at(monitor, "spec", "endpoints", 0) as Json;
    expect(portNames).toContain(endpoint.port);
    expect(endpoint.path).toBe("/metrics");
    const selector = at(monitor, "spec", "selector", "matchLabels") as Record<string, string>;
    expect(selects(selector, service.metadata.labels ?? {})).toBe(true);
  });

  it("ships the Grafana dashboard as a ConfigMap the sidecar picks up", () => {
    const configMap = findManifest(manifests, "ConfigMap", "kubedrs-dashboard");
    expect(configMap.metadata.labels?.grafana_dashboard).toBe("1");
    const data = configMap.data as Record<string, string>;
    const dashboard = JSON.parse(data["kubedrs.json"] ?? "null") as { uid?: string; panels?: unknown[] };
    expect(dashboard.uid).toBe("kubedrs-overview");
    expect(dashboard.panels?.length).toBeGreaterThan(8);
  });

  it("binds the roles to the Deployment's service account", () => {
    const account = findManifest(manifests, "ServiceAccount");
    for (const kind of ["ClusterRoleBinding", "RoleBinding"]) {
      expect(findManifest(manifests, kind).subjects).toEqual([
        { kind: "ServiceAccount", name: account.metadata.name, namespace: NAMESPACE },
      ]);
    }
    expect(account.metadata.name).toBe(podSpec().serviceAccountName);
  });
});
