// Network timing: one-way latency + ceil(bytes * 8 / Gb/s) on an idle path, FIFO queueing on busy
// links, checked on the Network class directly and end to end through Simulation.
#include "platform/sim/network.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "platform/config.h"
#include "platform/cost_model.h"
#include "platform/sim/links.h"
#include "platform/sim/testdata/sim_test_util.h"
#include "platform/simulation.h"
#include "platform/topology.h"

namespace ddc::sim {
namespace {

using simtest::Arrival;
using simtest::ArrivalTimes;
using simtest::CreateSimulation;
using simtest::MakeBlob;
using simtest::MetricValue;
using simtest::MustSpawn;
using simtest::RecordArrivals;
using simtest::SendBlobs;

// Default cost model: 2 us intra-rack RTT, 45 us cross-rack RTT, 100 Gb/s everywhere.
constexpr Duration kIntraOneWay = 1000;
constexpr Duration kCrossOneWay = 22500;
// 1250 bytes serialize in exactly 100 ns at 100 Gb/s.
constexpr int64_t kMessageBytes = 1250;
constexpr Duration kSerialization = 100;

TEST(TransmissionNsTest, IsBitsOverBandwidthRoundedUp) {
  EXPECT_EQ(TransmissionNs(1250, 100), 100);
  EXPECT_EQ(TransmissionNs(1251, 100), 101);  // 100.08 ns
  EXPECT_EQ(TransmissionNs(1, 100), 1);       // 0.08 ns
  EXPECT_EQ(TransmissionNs(0, 100), 0);
  EXPECT_EQ(TransmissionNs(1250, 25), 400);
  EXPECT_EQ(TransmissionNs(1048576, 100), 83887);  // 83886.08 ns
}

TEST(CostModelTest, PredictsLatencyPlusSlowestLinkSerialization) {
  config::CostModel params = DefaultConfig().cost_model();
  params.set_tor_uplink_bandwidth_gbps(25);
  const CostModel model(params);
  EXPECT_EQ(model.MessageOneWayNs(/*same_rack=*/true, 1250), 1000 + 100);
  // Cross-rack messages cross the 25 Gb/s uplink.
  EXPECT_EQ(model.MessageOneWayNs(/*same_rack=*/false, 1250), 22500 + 400);
  EXPECT_EQ(model.MessageRttNs(/*same_rack=*/true, 1250, 0), 1100 + 1000);
}

TEST(LinksTest, IdlePathOfEqualLinksCostsOneSerialization) {
  Links links;
  const uint32_t path[] = {links.Add("a", 100), links.Add("b", 100), links.Add("c", 100)};
  EXPECT_EQ(links.Traverse(path, 3, kMessageBytes, /*now=*/40), 40 + kSerialization);
  for (const LinkStats& stats : links.stats()) {
    EXPECT_EQ(stats.transfers, 1u) << stats.name;
    EXPECT_EQ(stats.busy_ns, kSerialization) << stats.name;
    EXPECT_EQ(stats.queued_ns, 0) << stats.name;
  }
}

TEST(LinksTest, SlowestLinkBoundsTheTail) {
  Links links;
  const uint32_t path[] = {links.Add("fast", 100), links.Add("slow", 25), links.Add("fast2", 100)};
  EXPECT_EQ(links.Traverse(path, 3, kMessageBytes, 0), 400);
}

TEST(LinksTest, TransferWaitsForBusyLinkAndRecordsTheWait) {
  Links links;
  const uint32_t shared = links.Add("shared", 100);
  const uint32_t path[] = {shared};
  EXPECT_EQ(links.Traverse(path, 1, kMessageBytes, 0), 100);
  EXPECT_EQ(links.Traverse(path, 1, kMessageBytes, 30), 200);   // waits 70 ns
  EXPECT_EQ(links.Traverse(path, 1, kMessageBytes, 500), 600);  // idle again
  const LinkStats& stats = links.stats()[shared];
  EXPECT_EQ(stats.transfers, 3u);
  EXPECT_EQ(stats.bytes, 3u * kMessageBytes);
  EXPECT_EQ(stats.busy_ns, 3 * kSerialization);
  EXPECT_EQ(stats.queued_ns, 70);
  EXPECT_EQ(stats.max_queued_ns, 70);
}

class NetworkTest : public ::testing::Test {
 protected:
  NetworkTest() : config_(DefaultConfig()), topology_(Topology::FromConfig(config_)) {}

  CeId Ce(absl::string_view name) const { return *topology_.FindCe(name); }

  const LinkStats& Link(absl::string_view name) const {
    for (const LinkStats& link : links_.stats()) {
      if (link.name == name) return link;
    }
    ADD_FAILURE() << "no link " << name;
    return links_.stats().front();
  }

  PlatformConfig config_;
  Topology topology_;
  Links links_;
};

TEST_F(NetworkTest, OneWayLatencyIsHalfTheRtt) {
  Network network(topology_, config_.cost_model(), links_);
  EXPECT_EQ(network.OneWayLatency(Ce("r0/ce0"), Ce("r0/ce3")), kIntraOneWay);
  EXPECT_EQ(network.OneWayLatency(Ce("r0/ce0"), Ce("r1/ce0")), kCrossOneWay);
  EXPECT_TRUE(network.SameRack(Ce("r1/ce1"), Ce("r1/ce2")));
  EXPECT_FALSE(network.SameRack(Ce("r0/ce1"), Ce("r1/ce1")));
}

TEST_F(NetworkTest, IdleIntraRackPathCostsLatencyPlusOneSerialization) {
  Network network(topology_, config_.cost_model(), links_);
  EXPECT_EQ(network.Transmit(Ce("r0/ce0"), Ce("r0/ce1"), kMessageBytes, /*now=*/5000),
            5000 + kIntraOneWay + kSerialization);
  EXPECT_EQ(Link("r0/ce0:nic-tx").transfers, 1u);
  EXPECT_EQ(Link("r0/ce1:nic-rx").transfers, 1u);
  EXPECT_EQ(Link("r0:tor-uplink").transfers, 0u);
}

TEST_F(NetworkTest, IdleCrossRackPathIsCutThrough) {
  // Four links of equal bandwidth cost one serialization, not four.
  Network network(topology_, config_.cost_model(), links_);
  EXPECT_EQ(network.Transmit(Ce("r0/ce0"), Ce("r1/ce2"), kMessageBytes, /*now=*/0),
            kCrossOneWay + kSerialization);
  EXPECT_EQ(Link("r0:tor-uplink").transfers, 1u);
  EXPECT_EQ(Link("r1:tor-downlink").transfers, 1u);
  EXPECT_EQ(Link("r1/ce2:nic-rx").bytes, static_cast<uint64_t>(kMessageBytes));
}

TEST_F(NetworkTest, MessageWaitsForBusyTransmitLink) {
  Network network(topology_, config_.cost_model(), links_);
  const CeId src = Ce("r0/ce0");
  EXPECT_EQ(network.Transmit(src, Ce("r0/ce1"), kMessageBytes, 0), 1100);
  // The NIC is busy until 100, so a message sent at 50 enters at 100.
  EXPECT_EQ(network.Transmit(src, Ce("r0/ce2"), kMessageBytes, 50), 1200);
  const LinkStats& tx = Link("r0/ce0:nic-tx");
  EXPECT_EQ(tx.queued_ns, 50);
  EXPECT_EQ(tx.max_queued_ns, 50);
  EXPECT_EQ(tx.busy_ns, 200);
  EXPECT_EQ(tx.transfers, 2u);
}

TEST_F(NetworkTest, LinkIsFreeAgainAfterItDrains) {
  Network network(topology_, config_.cost_model(), links_);
  const CeId src = Ce("r0/ce0");
  const CeId dst = Ce("r0/ce1");
  network.Transmit(src, dst, kMessageBytes, 0);
  EXPECT_EQ(network.Transmit(src, dst, kMessageBytes, 10000), 10000 + 1100);
  EXPECT_EQ(Link("r0/ce0:nic-tx").queued_ns, 0);
}

TEST_F(NetworkTest, SlowUplinkBoundsCrossRackArrival) {
  config::CostModel cost = config_.cost_model();
  cost.set_tor_uplink_bandwidth_gbps(25);
  Network network(topology_, cost, links_);
  // The 25 Gb/s uplink takes 400 ns for 1250 bytes; the analytic model agrees.
  const Time arrival = network.Transmit(Ce("r0/ce0"), Ce("r1/ce0"), kMessageBytes, 0);
  EXPECT_EQ(arrival, kCrossOneWay + 400);
  EXPECT_EQ(arrival, CostModel(cost).MessageOneWayNs(/*same_rack=*/false, kMessageBytes));
}

// End to end through Simulation.

struct NetworkRun {
  std::vector<Arrival> arrivals;
  std::string metrics_csv;
};

// SendAtTimeZero runs a sender on `from` that sends messages of `sizes` at t=0 to a recorder on
// `to`, and returns what the recorder saw.
NetworkRun SendAtTimeZero(absl::string_view config_text, absl::string_view from,
                          absl::string_view to, std::vector<int64_t> sizes) {
  NetworkRun run;
  std::unique_ptr<Simulation> sim = CreateSimulation(config_text);
  if (sim == nullptr) return run;
  const ProcessId receiver = MustSpawn(
      *sim, "receiver", to, [&run](Process& self) { return RecordArrivals(self, &run.arrivals); });
  MustSpawn(*sim, "sender", from,
            [receiver, sizes](Process& self) { return SendBlobs(self, receiver, sizes); });
  sim->RunUntilIdle();
  run.metrics_csv = sim->MetricsCsv();
  return run;
}

TEST(SimulatedNetworkTest, IntraRackMessageArrivesAfterLatencyPlusSerialization) {
  const NetworkRun run = SendAtTimeZero("", "r0/ce0", "r0/ce1", {kMessageBytes});
  ASSERT_EQ(run.arrivals.size(), 1u);
  EXPECT_EQ(run.arrivals[0].at, kIntraOneWay + kSerialization);
  EXPECT_EQ(run.arrivals[0].sent_at, 0);
  EXPECT_EQ(run.arrivals[0].wire_bytes, kMessageBytes);
  EXPECT_EQ(MetricValue(run.metrics_csv, "bytes_delivered"), kMessageBytes);
}

TEST(SimulatedNetworkTest, WireSizeIsTheSerializedProtobufSize) {
  simtest::Blob blob;
  blob.set_seq(300);  // tag + 2-byte varint
  ASSERT_EQ(blob.ByteSizeLong(), 3u);
  std::vector<Arrival> arrivals;
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId receiver = MustSpawn(
      *sim, "receiver", "r0/ce1", [&](Process& self) { return RecordArrivals(self, &arrivals); });
  MustSpawn(*sim, "sender", "r0/ce0",
            [receiver, blob](Process& self) { return simtest::SendMessage(self, receiver, blob); });
  sim->RunUntilIdle();
  ASSERT_EQ(arrivals.size(), 1u);
  EXPECT_EQ(arrivals[0].wire_bytes, 3);
  EXPECT_EQ(arrivals[0].seq, 300u);
  EXPECT_EQ(arrivals[0].at, kIntraOneWay + 1);  // 24 bits at 100 Gb/s round up to 1 ns
  EXPECT_EQ(sim->metrics().bytes_sent, 3u);
}

TEST(SimulatedNetworkTest, EmptyMessageCostsOnlyLatency) {
  const NetworkRun run = SendAtTimeZero("", "r0/ce0", "r0/ce1", {0});
  ASSERT_EQ(run.arrivals.size(), 1u);
  EXPECT_EQ(run.arrivals[0].at, kIntraOneWay);
}

TEST(SimulatedNetworkTest, MessageBetweenProcessesOnOneCeStillCrossesTheTor) {
  const NetworkRun run = SendAtTimeZero("", "r0/ce2", "r0/ce2", {kMessageBytes});
  ASSERT_EQ(run.arrivals.size(), 1u);
  EXPECT_EQ(run.arrivals[0].at, kIntraOneWay + kSerialization);
}

TEST(SimulatedNetworkTest, CrossRackMessageArrivesAfterCrossRackLatency) {
  const NetworkRun run = SendAtTimeZero("", "r0/ce0", "r1/ce3", {kMessageBytes});
  ASSERT_EQ(run.arrivals.size(), 1u);
  EXPECT_EQ(run.arrivals[0].at, kCrossOneWay + kSerialization);
  EXPECT_EQ(MetricValue(run.metrics_csv, "r0:tor-uplink.transfers"), 1);
  EXPECT_EQ(MetricValue(run.metrics_csv, "r1:tor-downlink.transfers"), 1);
}

TEST(SimulatedNetworkTest, BackToBackSendsQueueOnTheSenderNic) {
  const NetworkRun run = SendAtTimeZero("", "r0/ce0", "r0/ce1", {kMessageBytes, kMessageBytes});
  EXPECT_EQ(ArrivalTimes(run.arrivals), (std::vector<Time>{1100, 1100 + kSerialization}));
  EXPECT_EQ(MetricValue(run.metrics_csv, "r0/ce0:nic-tx.queued_ns"), kSerialization);
  EXPECT_EQ(MetricValue(run.metrics_csv, "r0/ce0:nic-tx.busy_ns"), 2 * kSerialization);
  // The second message reached the receiver's NIC exactly when it was free again.
  EXPECT_EQ(MetricValue(run.metrics_csv, "r0/ce1:nic-rx.queued_ns"), 0);
}

TEST(SimulatedNetworkTest, IncastQueuesAtTheReceiverNic) {
  std::vector<Arrival> arrivals;
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId receiver = MustSpawn(
      *sim, "receiver", "r0/ce3", [&](Process& self) { return RecordArrivals(self, &arrivals); });
  for (const char* ce : {"r0/ce0", "r0/ce1", "r0/ce2"}) {
    MustSpawn(*sim, absl::StrCat("sender-", ce), ce,
              [receiver](Process& self) { return SendBlobs(self, receiver, {kMessageBytes}); });
  }
  sim->RunUntilIdle();
  EXPECT_EQ(ArrivalTimes(arrivals), (std::vector<Time>{1100, 1200, 1300}));
  const std::string csv = sim->MetricsCsv();
  // The three NICs transmit in parallel; the receiver's NIC takes them one after another.
  EXPECT_EQ(MetricValue(csv, "r0/ce0:nic-tx.queued_ns"), 0);
  EXPECT_EQ(MetricValue(csv, "r0/ce3:nic-rx.queued_ns"), 0 + 100 + 200);
  EXPECT_EQ(MetricValue(csv, "r0/ce3:nic-rx.max_queued_ns"), 200);
  EXPECT_EQ(MetricValue(csv, "r0/ce3:nic-rx.transfers"), 3);
}

TEST(SimulatedNetworkTest, CustomCostModelChangesLatencyAndBandwidth) {
  constexpr char kConfig[] = "cost_model { intra_rack_rtt_ns: 1000 nic_bandwidth_gbps: 25 }";
  const NetworkRun intra = SendAtTimeZero(kConfig, "r0/ce0", "r0/ce1", {kMessageBytes});
  const NetworkRun cross = SendAtTimeZero(kConfig, "r0/ce0", "r1/ce0", {kMessageBytes});
  ASSERT_EQ(intra.arrivals.size(), 1u);
  ASSERT_EQ(cross.arrivals.size(), 1u);
  // 1250 bytes take 400 ns at 25 Gb/s.
  EXPECT_EQ(intra.arrivals[0].at, 500 + 400);
  EXPECT_EQ(cross.arrivals[0].at, 22500 + 400);

  const CostModel model(ParseConfig(kConfig)->cost_model());
  EXPECT_EQ(intra.arrivals[0].at, model.MessageOneWayNs(/*same_rack=*/true, kMessageBytes));
  EXPECT_EQ(cross.arrivals[0].at, model.MessageOneWayNs(/*same_rack=*/false, kMessageBytes));
}

TEST(SimulatedNetworkTest, FuturePresetHalvesIntraRackLatencyOnly) {
  constexpr char kConfig[] = "cost_model { preset: PRESET_FUTURE }";
  const NetworkRun intra = SendAtTimeZero(kConfig, "r0/ce0", "r0/ce1", {kMessageBytes});
  const NetworkRun cross = SendAtTimeZero(kConfig, "r0/ce0", "r1/ce0", {kMessageBytes});
  ASSERT_EQ(intra.arrivals.size(), 1u);
  ASSERT_EQ(cross.arrivals.size(), 1u);
  EXPECT_EQ(intra.arrivals[0].at, 500 + kSerialization);
  EXPECT_EQ(cross.arrivals[0].at, kCrossOneWay + kSerialization);
}

TEST(SimulatedNetworkTest, ReceiverGetsMessagesInArrivalOrder) {
  // A large message sent first from a far sender arrives after a small one sent later nearby.
  std::vector<Arrival> arrivals;
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId receiver = MustSpawn(
      *sim, "receiver", "r0/ce1", [&](Process& self) { return RecordArrivals(self, &arrivals); });
  const ProcessId far = MustSpawn(*sim, "far", "r1/ce0", [receiver](Process& self) {
    return SendBlobs(self, receiver, {kMessageBytes});
  });
  const ProcessId near = MustSpawn(*sim, "near", "r0/ce0", [receiver](Process& self) {
    return simtest::SendEvery(self, receiver, /*start=*/5000, /*interval=*/1, /*count=*/1);
  });
  sim->RunUntilIdle();
  ASSERT_EQ(arrivals.size(), 2u);
  EXPECT_EQ(arrivals[0].from, near);
  EXPECT_EQ(arrivals[0].at, 5000 + kIntraOneWay + 1);
  EXPECT_EQ(arrivals[1].from, far);
  EXPECT_EQ(arrivals[1].at, kCrossOneWay + kSerialization);
}

}  // namespace
}  // namespace ddc::sim
