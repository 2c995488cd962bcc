import { register } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import type { Twin } from "../../../src/twin/twin.ts";
import { GiB, MiB, getText, parseExposition, sampleOf, servedGuestTwin } from "../support/workload-fixture.ts";

const running: Twin[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((twin) => twin.stop()));
});

const serve = (): ReturnType<typeof servedGuestTwin> => servedGuestTwin(running);

async function scrape(url: string) {
  const response = await getText(url, "/metrics");
  expect(response.status).toBe(200);
  return { ...response, samples: parseExposition(response.body) };
}

const DB = { node: "node-a", namespace: "tenant", name: "db" };
const NODE_A = { node: "node-a", instance: "node-a" };

describe("/metrics", () => {
  it("serves the text exposition format with KubeVirt's and node-exporter's types", async () => {
    const { twin, url } = await serve();
    twin.advance(60_000);
    const { type, body } = await scrape(url);
    expect(type).toBe("text/plain; version=0.0.4; charset=utf-8");
    for (const [name, kind] of [
      ["kubevirt_vmi_cpu_usage_seconds_total", "counter"],
      ["kubevirt_vmi_vcpu_delay_seconds_total", "counter"],
      ["kubevirt_vmi_memory_resident_bytes", "gauge"],
      ["kubevirt_vmi_dirty_rate_bytes_per_second", "gauge"],
      ["kubevirt_vmi_migration_data_bytes_total", "counter"],
      ["kubevirt_vmi_migration_data_remaining_bytes", "gauge"],
      ["node_cpu_seconds_total", "counter"],
      ["node_memory_MemAvailable_bytes", "gauge"],
      ["node_pressure_cpu_waiting_seconds_total", "counter"],
      ["node_pressure_memory_waiting_seconds_total", "counter"],
    ])
      expect(body).toContain(`# TYPE ${name} ${kind}\n`);
  });

  it("reports each guest with virt-handler's labels", async () => {
    const { twin, url } = await serve();
    twin.advance(60_000);
    const { samples } = await scrape(url);
    expect(sampleOf(samples, "kubevirt_vmi_cpu_usage_seconds_total", DB).value).toBeCloseTo(120, 9);
    expect(sampleOf(samples, "kubevirt_vmi_vcpu_delay_seconds_total", { ...DB, id: "0" }).value).toBe(0);
    expect(sampleOf(samples, "kubevirt_vmi_memory_resident_bytes", DB).value).toBe(4 * GiB);
    expect(sampleOf(samples, "kubevirt_vmi_dirty_rate_bytes_per_second", DB).value).toBe(16 * MiB);
    expect(sampleOf(samples, "kubevirt_vmi_cpu_usage_seconds_total", DB).labels).toEqual(DB);
  });

  it("reports each host as node-exporter would, labelled node and instance", async () => {
    const { twin, url } = await serve();
    twin.advance(60_000);
    const { samples } = await scrape(url);
    const cpu = (mode: string) => sampleOf(samples, "node_cpu_seconds_total", { ...NODE_A, cpu: "all", mode }).value;
    expect(cpu("user")).toBeCloseTo(120, 9);
    expect(cpu("system")).toBeCloseTo(0.32 * 60, 9);
    expect(cpu("idle")).toBeCloseTo(16 * 60 - 120 - 0.32 * 60, 9);
    expect(sampleOf(samples, "node_memory_MemTotal_bytes", NODE_A).value).toBe(64 * GiB);
    expect(sampleOf(samples, "node_memory_MemAvailable_bytes", NODE_A).value).toBe(58 * GiB);
    expect(sampleOf(samples, "node_pressure_cpu_waiting_seconds_total", NODE_A).value).toBe(0);
    expect(sampleOf(samples, "node_pressure_memory_waiting_seconds_total", NODE_A).value).toBe(0);
    expect(sampleOf(samples, "node_memory_MemTotal_bytes", { node: "node-b" }).labels).toEqual({
      node: "node-b",
      instance: "node-b",
    });
  });

  it("reports a migration in flight from the board, in place of the guest's dirty rate", async () => {
    const { twin, url, vm } = await serve();
    twin.advance(15_000);
    twin.runtime.migrations.set(vm, {
      migration: "db-move",
      sourceNode: "node-a",
      targetNode: "node-b",
      startedAt: twin.runtime.clock.now(),
      processedBytes: 3 * GiB,
      remainingBytes: GiB,
      dirtyRateBytesPerSecond: 20 * MiB,
      transferRateBytesPerSecond: 400 * MiB,
    });
    const during = (await scrape(url)).samples;
    expect(sampleOf(during, "kubevirt_vmi_migration_data_processed_bytes", DB).value).toBe(3 * GiB);
    expect(sampleOf(during, "kubevirt_vmi_migration_data_remaining_bytes", DB).value).toBe(GiB);
    expect(sampleOf(during, "kubevirt_vmi_migration_data_bytes_total", DB).value).toBe(4 * GiB);
    expect(sampleOf(during, "kubevirt_vmi_migration_dirty_memory_rate_bytes", DB).value).toBe(20 * MiB);
    expect(sampleOf(during, "kubevirt_vmi_migration_memory_transfer_rate_bytes", DB).value).toBe(400 * MiB);
    expect(during.filter((sample) => sample.name === "kubevirt_vmi_dirty_rate_bytes_per_second")).toEqual([]);
    twin.runtime.migrations.clear(vm);
    const after = (await scrape(url)).samples;
    expect(after.filter((sample) => sample.name.startsWith("kubevirt_vmi_migration_"))).toEqual([]);
    expect(sampleOf(after, "kubevirt_vmi_dirty_rate_bytes_per_second", DB).value).toBe(16 * MiB);
  });

  it("leaves out hosts that cannot be scraped, and their guests", async () => {
    const { twin, url } = await serve();
    twin.advance(15_000);
    twin.runtime.truth.setHost("node-a", { networked: false });
    const { samples } = await scrape(url);
    expect(samples.filter((sample) => sample.labels.node === "node-a")).toEqual([]);
    expect(sampleOf(samples, "node_memory_MemTotal_bytes", { node: "node-b" }).value).toBe(64 * GiB);
  });

  it("keeps its metrics out of prom-client's global registry", async () => {
    const { twin, url } = await serve();
    twin.advance(15_000);
    await scrape(url);
    expect(await register.metrics()).not.toContain("kubevirt_vmi");
  });

  it("answers 404 below /metrics", async () => {
    const { url } = await serve();
    expect((await getText(url, "/metrics/extra")).status).toBe(404);
  });
});
