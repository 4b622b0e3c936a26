// The containerised mesh (meshCluster.ts): one trace across the containers, replica loss and a
// rolling restart under load. Every container exports its spans over OTLP to a receiver in this
// process; one traced group must arrive as one tree rooted at the reward service's server span.
//
// Load: a bounded loop of groups (the same ChartWorld expert response K times, so every response is
// correct) through the two reward replicas. While it runs, one PRM and one renderer container are
// SIGKILLed: every response of every group must come back scored (reward 1, process scores) or
// flagged mask_sample with a failure kind — none lost, none silently zeroed — and the groups after
// the fault must all score, with no caller restarted. Then the PRM replicas are restarted one at a
// time (SIGTERM, drain, a new one in its place) under the same load: no group call may fail.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { FailureKind, ScoreGroupRequest } from "@sketchvl/contract";
import { Network, type StartedNetwork } from "testcontainers";
import { type ChartGroup, chartWorldGroup } from "../support/chartworldGroup";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../support/otlp";
import { Metadata } from "nice-grpc";
import { killReplica, type Replica, type RewardClient, rewardClient, running, scrapeMetrics, startReplica, stopReplica, telemetry } from "./meshCluster";

const K = 8;

interface Tally {
  groups: number;
  failedCalls: number;
  scored: number;
  masked: Map<string, number>;
  /** The first failure_reason of each kind, for the log. */
  reasons: Map<string, string>;
  silentlyZeroed: number;
  /** By group index. */
  latenciesMs: number[];
}

const tally = (): Tally => ({ groups: 0, failedCalls: 0, scored: 0, masked: new Map(), reasons: new Map(), silentlyZeroed: 0, latenciesMs: [] });

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(0.99 * xs.length))] ?? 0;

describe("the mesh as a cluster of containers", { timeout: 900_000 }, () => {
  let network: StartedNetwork;
  const replicas: Replica[] = [];
  let group: ChartGroup;
  let otlp: OtlpReceiver;
  const clients: Array<{ client: RewardClient; close(): void }> = [];

  before(async () => {
    network = await new Network().start();
    otlp = await startOtlpReceiver("0.0.0.0");
    telemetry.otlpPort = Number(new URL(otlp.endpoint).port);
    group = await chartWorldGroup();
    const started = await Promise.all([
      startReplica(network, "renderer"),
      startReplica(network, "renderer"),
      startReplica(network, "prm"),
      startReplica(network, "prm"),
      startReplica(network, "trainer", ["--state-dir", "/tmp/trainer-state"]),
    ]);
    replicas.push(...started);
    replicas.push(...(await Promise.all([startReplica(network, "reward"), startReplica(network, "reward")])));
    for (const r of replicas.filter((x) => x.service === "reward")) clients.push(rewardClient(r.address));
  });

  after(async () => {
    for (const c of clients) c.close();
    await Promise.allSettled(replicas.map((r) => r.container.stop({ timeout: 1_000 })));
    await network?.stop();
    await otlp?.close();
  });

  const request = (i: number, tag: string): ScoreGroupRequest =>
    ScoreGroupRequest.fromPartial({
      requestId: `${tag}-${i}`,
      image: { source: { $case: "encoded", value: group.png } },
      question: group.question,
      references: [group.answer],
      responses: Array.from({ length: K }, (_, j) => ({ id: `r${j}`, text: group.responses.expert })),
    });

  /** Sends `count` groups, two at a time, alternating replicas; `during(i)` runs before group i is sent. */
  async function load(tag: string, count: number, t: Tally, during: (i: number) => Promise<void> = async () => {}): Promise<boolean[]> {
    const masks: boolean[] = new Array(count).fill(false);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        await during(i);
        const started = performance.now();
        t.groups++;
        try {
          const out = (await clients[i % clients.length].client.scoreGroup(request(i, tag))).group!;
          for (const r of out.responses) {
            if (r.maskSample) {
              masks[i] = true;
              const kind = FailureKind[r.failureKind] ?? String(r.failureKind);
              t.masked.set(kind, (t.masked.get(kind) ?? 0) + 1);
              if (!t.reasons.has(kind)) t.reasons.set(kind, r.failureReason);
              assert.notEqual(r.failureKind, FailureKind.FAILURE_KIND_UNSPECIFIED, "a masked response names its failure");
            } else if (r.outcomeReward === 1 && r.steps.length > 0 && r.steps.every((s) => s.excluded || s.processScore > 0)) {
              t.scored++;
            } else {
              t.silentlyZeroed++;
            }
          }
        } catch {
          t.failedCalls++;
        }
        t.latenciesMs[i] = performance.now() - started;
      }
    };
    await Promise.all([worker(), worker()]);
    return masks;
  }

  it("one group is one trace across the containers: reward → renderer, PRM (queue; batch linked) and trainer, as one tree", async () => {
    const traceId = randomBytes(16).toString("hex");
    await clients[0].client.scoreGroup(request(0, "traced"), { metadata: Metadata({ traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` }) });
    const servers = [
      "sketchvl-renderer grpc.sketchvl.v1.RendererService/RenderTrajectories",
      "sketchvl-prm grpc.sketchvl.v1.PrmService/ScoreSteps",
      "sketchvl-prm prm.queue",
      "sketchvl-trainer grpc.sketchvl.v1.TrainerService/ComputeAdvantages",
    ];
    const root = "sketchvl-reward grpc.sketchvl.v1.RewardService/ScoreGroup";
    const key = (x: ReceivedSpan) => `${x.service} ${x.name}`;
    const spans = await otlp.waitFor((all) => [root, ...servers].every((e) => all.some((x) => x.traceId === traceId && key(x) === e)), 30_000);
    const mine = new Map(spans.filter((x) => x.traceId === traceId).map((x) => [x.spanId, x]));
    const rootSpan = [...mine.values()].find((x) => key(x) === root)!;
    // Every span the other containers made hangs, through its parents, from the reward's server span.
    for (const name of servers) {
      for (const span of [...mine.values()].filter((x) => key(x) === name)) {
        const chain: string[] = [];
        let at: ReceivedSpan | undefined = span;
        while (at && at !== rootSpan) {
          chain.push(key(at));
          at = mine.get(at.parentSpanId);
        }
        assert.equal(at, rootSpan, `${name} reaches the reward's span through its parents (got ${chain.join(" <- ")})`);
      }
    }
    // A PRM batch serves many requests: its own trace, linked to the queue spans it served.
    const queued = [...mine.values()].filter((x) => x.name === "prm.queue").map((x) => x.spanId);
    await otlp.waitFor((all) => all.some((x) => x.name === "prm.batch" && x.links.some((l) => queued.includes(l))), 30_000);
    console.log(`one trace: ${mine.size} spans from ${new Set([...mine.values()].map((x) => x.service)).size} services`);
  });

  it("a SIGKILLed PRM and renderer: every response scored or masked with its kind, none lost or zeroed, and the load recovers", async () => {
    const t = tally();
    const count = 40;
    const prm = replicas.find((r) => r.service === "prm")!;
    const renderer = replicas.find((r) => r.service === "renderer")!;
    let faultAt = -1;
    let scraped: Array<[string, Map<string, number>]> = [];
    const masks = await load("kill", count, t, async (i) => {
      if (i === 8)
        scraped = await Promise.all(
          ["prm", "renderer", "reward"].map(async (s) => [s, await scrapeMetrics(replicas.find((r) => r.service === s)!)] as [string, Map<string, number>]),
        );
      if (i === 12) {
        faultAt = i;
        killReplica(prm);
        killReplica(renderer);
      }
    });
    for (const dead of [prm, renderer]) assert.equal(running(dead), false, `the killed ${dead.service} is gone`);
    replicas.splice(replicas.indexOf(prm), 1);
    replicas.splice(replicas.indexOf(renderer), 1);
    const masked = [...t.masked.values()].reduce((a, b) => a + b, 0);
    console.log(
      `replica loss: ${t.groups} groups sent (${count * K} responses): ${t.scored} scored, ${masked} masked (${[...t.masked].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}), ` +
        `${t.failedCalls} failed calls, ${t.silentlyZeroed} silently zeroed; p99 ${p99(t.latenciesMs).toFixed(0)} ms overall, ` +
        `${p99(t.latenciesMs.slice(faultAt, faultAt + 10)).toFixed(0)} ms for the 10 groups from the fault (group ${faultAt}), ${p99(t.latenciesMs.slice(0, faultAt)).toFixed(0)} ms before it`,
    );
    // Read during the load, as Prometheus would scrape them.
    const series = (service: string, prefix: string) => [...scraped.find(([s]) => s === service)![1]].filter(([k]) => k.startsWith(prefix));
    for (const [service, prefix] of [
      ["prm", "prm_queue_depth"],
      ["prm", "prm_queue_rejected_total"],
      ["prm", "prm_batch_size_bucket"],
      ["prm", "prm_queue_duration_count"],
      ["prm", "prm_compute_duration_sum"],
      ["renderer", "rpc_server_in_flight"],
      ["renderer", "work_budget_used"],
      ["reward", "rpc_server_duration_count"],
    ]) {
      assert.ok(series(service, prefix).length > 0, `${service} exports ${prefix} during the load`);
    }
    const batches = series("prm", "prm_queue_duration_count").reduce((a, [, v]) => a + v, 0);
    assert.ok(batches > 0, "the PRM's histograms count the load's steps");
    console.log(
      `metrics during the load: prm steps queued so far ${batches}, reward calls by status ${series("reward", "rpc_server_duration_count")
        .map(([k, v]) => `${/rpc_grpc_status_code="?(\w+)/.exec(k)?.[1] ?? k}=${v}`)
        .join(" ")}`,
    );
    assert.equal(t.failedCalls, 0, "no group call failed");
    assert.equal(t.silentlyZeroed, 0, "no response was scored 0 without a mask");
    assert.equal(t.scored + masked, count * K, "every response is accounted for");
    assert.ok(
      masks.slice(-10).every((m) => !m),
      "the last 10 groups, after the fault, scored in full",
    );
  });

  it("a rolling restart of the PRM replicas (SIGTERM, drain, replace) fails no call", async () => {
    const t = tally();
    const prms = replicas.filter((r) => r.service === "prm");
    if (prms.length < 2) replicas.push(await startReplica(network, "prm", [], true));
    const restart = async () => {
      for (const old of replicas.filter((r) => r.service === "prm")) {
        const fresh = await startReplica(network, "prm", [], true);
        replicas.push(fresh);
        assert.equal(stopReplica(old), 0, "a drained PRM exits 0");
        replicas.splice(replicas.indexOf(old), 1);
      }
    };
    let restarting: Promise<void> | undefined;
    await load("roll", 40, t, async (i) => {
      if (i === 4) restarting = restart();
    });
    await restarting;
    const masked = [...t.masked.values()].reduce((a, b) => a + b, 0);
    console.log(
      `rolling restart: ${t.groups} groups, ${t.scored} scored, ${masked} masked (${[...t.masked].map(([k, n]) => `${k} ${n}: ${t.reasons.get(k)}`).join("; ") || "none"}), ${t.failedCalls} failed calls; p99 ${p99(t.latenciesMs).toFixed(0)} ms`,
    );
    assert.equal(t.failedCalls, 0);
    assert.equal(t.silentlyZeroed, 0);
    assert.equal(masked, 0, "a drained replica finishes what it holds; no response is masked");
  });
});
