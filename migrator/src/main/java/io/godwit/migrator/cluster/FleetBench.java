package io.godwit.migrator.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * scripts/bench cluster: fake members registering against a real etcd exactly as ClusterNode does
 * (a lease, the member key, the trust key, one leased key per container), then what that costs
 * (keys and writes per member and per container), how long planning an evacuation of 100
 * containers over the members takes (reading them from etcd included), and the write rate a fleet
 * of 1,000 members x 100 containers with checkpoints every 10 minutes would put on etcd.
 * Usage: FleetBench ENDPOINT [MEMBERS] [CONTAINERS_PER_MEMBER] [RUNS]
 */
public final class FleetBench {
    private FleetBench() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        int members = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int perMember = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        ClusterSettings s = new ClusterSettings(List.of(endpoint), "/godwit-bench", null, null, null, Map.of(),
                Duration.ofSeconds(60));
        ClusterKeys keys = new ClusterKeys(s.prefix());
        List<String> flags = List.of("avx", "avx2", "fpu", "sse4_2");
        try (Etcd etcd = new Etcd(s)) {
            etcd.deletePrefix(s.prefix() + "/");
            long w0 = etcd.writes();
            long t0 = System.nanoTime();
            for (int i = 0; i < members; i++) {
                String name = String.format("m%04d", i);
                long lease = etcd.grantLease(s.lease());
                etcd.put(keys.trust(name), Values.write(new Peer(name, "10.1." + (i / 250) + "." + (i % 250) + ":8443",
                        "fp" + i)));
                Capacity c = new Capacity(64L << 30, (32L << 30) - i * (64L << 20), 500L << 30, "bench", flags, 16,
                        "4.1.1", true, true, "delivered");
                for (int k = 0; k < perMember; k++) {
                    String cn = String.format("c%04d-%03d", i, k);
                    etcd.put(keys.container(name, cn), Values.write(new ContainerEntry(name, cn, "RUNNING", "img",
                            64L << 20, 0)), lease);
                }
                etcd.put(keys.member(name), Values.write(new Member(name, "10.1.0.1:8443", "fp" + i, c, Map.of(), null,
                        perMember, "bench")), lease);
            }
            long regMs = (System.nanoTime() - t0) / 1_000_000;
            long writes = etcd.writes() - w0;
            long allKeys = etcd.countPrefix(s.prefix() + "/");
            double writesPerMember = (double) (writes - (long) members * perMember) / members;
            System.out.printf("registered %d members x %d containers in %d ms (%.0f writes/s from one client)%n",
                    members, perMember, regMs, writes * 1000.0 / Math.max(1, regMs));
            System.out.printf("keys: %d in all = %.2f per member (without its containers) + %.2f per container%n",
                    allKeys, (double) (allKeys - (long) members * perMember) / members, 1.0);
            System.out.printf("writes to join: %.2f per member + 1 per container   %s%n", writesPerMember,
                    writesPerMember <= 3 ? "goal met" : "BELOW GOAL");

            FleetView fleet = new FleetView(etcd, keys);
            List<Placement.Need> needs = new ArrayList<>();
            for (int k = 0; k < 100; k++) {
                needs.add(new Placement.Need("e" + k, (64L + k) << 20, (128L + k) << 20));
            }
            Member source = fleet.member("m0000").orElseThrow();
            long[] ms = new long[runs];
            long[] planOnly = new long[runs];
            int placed = 0;
            for (int r = 0; r < runs; r++) {
                long a = System.nanoTime();
                List<Member> all = fleet.members();
                long b = System.nanoTime();
                List<Placement.Assignment> plan = Placement.plan(source, needs, all);
                long e = System.nanoTime();
                ms[r] = (e - a) / 1_000_000;
                planOnly[r] = (e - b) / 1_000;
                placed = (int) plan.stream().filter(Placement.Assignment::placed).count();
            }
            Arrays.sort(ms);
            Arrays.sort(planOnly);
            long median = ms[runs / 2];
            System.out.printf("plan 100 containers over %d members: median %d ms (reading the members from etcd "
                    + "included; the planning alone %d us), %d placed   %s%n", members, median, planOnly[runs / 2], placed,
                    median < 1000 && placed == 100 ? "goal met" : "BELOW GOAL");

            // 1,000 members x 100 containers, checkpoints every 10 minutes: renewals every 2 s, and a
            // checkpoint that shows in the directory as two status changes (frozen, running again).
            double renewals = 1000 / 2.0;
            double checkpoints = 1000 * 100 * 2 / 600.0;
            double memberRefresh = 1000 / 60.0;
            double rate = renewals + checkpoints + memberRefresh;
            System.out.printf("fleet of 1000 x 100 with checkpoints every 10 min: %.0f lease renewals/s + %.0f directory"
                    + " writes/s + %.0f member refreshes/s = %.0f writes/s (goal: under 2000/s, a fraction of what one"
                    + " etcd on SSD sustains)   %s%n", renewals, checkpoints, memberRefresh, rate,
                    rate < 2000 ? "goal met" : "BELOW GOAL");
            etcd.deletePrefix(s.prefix() + "/");
        }
    }
}
