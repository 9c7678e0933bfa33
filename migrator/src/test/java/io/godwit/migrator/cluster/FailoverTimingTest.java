package io.godwit.migrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The timing rules that keep a failover job from running twice, and the decisions made from them. */
class FailoverTimingTest {
    private static final long S = 1_000_000_000L;

    private static FailoverTiming timing(long lease, long fence, long failover) {
        return new FailoverTiming(Duration.ofSeconds(lease), Duration.ofSeconds(fence), FailoverTiming.FREEZE_BOUND,
                Duration.ofSeconds(failover));
    }

    @Test
    void theDefaultsLeaveTheFencedMemberFrozenLongBeforeAnyRestore() {
        ClusterSettings s = ClusterSettings.ofUrls("http://10.0.0.9:2379");
        FailoverTiming t = s.timing().check();
        assertEquals(Duration.ofSeconds(5), t.fence());
        assertEquals(Duration.ofSeconds(30), t.failover());
        // frozen (or killed) by 7 s after the last acknowledged renewal; a restore starts 40 s after it at the soonest
        assertTrue(t.stillRunsUntil().compareTo(t.restoresNotBefore()) < 0);
        assertEquals(Duration.ofSeconds(7), t.stillRunsUntil());
        assertEquals(Duration.ofSeconds(40), t.restoresNotBefore());
    }

    @Test
    void timingsThatCouldLetAJobRunTwiceAreRefusedSayingWhy() {
        var e = assertThrows(IllegalArgumentException.class, () -> timing(10, 10, 30).check());
        assertTrue(e.getMessage().contains("shorter than the lease"), e.getMessage());
        // 8 s + 2 s to freeze, with a quarter to spare (12.5 s), is not less than 10 s lease + 2 s
        e = assertThrows(IllegalArgumentException.class, () -> timing(10, 8, 2).check());
        assertTrue(e.getMessage().contains("could run on two members"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> timing(10, 0, 30).check());
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
        timing(5, 3, 5).check(); // the end-to-end test's: (3 + 2) x 1.25 < 5 + 5
    }

    @Test
    void theSettingsFileTakesTheTimingsAndChecksThem() throws Exception {
        ObjectMapper m = new ObjectMapper();
        ClusterSettings s = ClusterConfig.read(m.readTree("""
                {"endpoints": "http://10.0.0.9:2379", "leaseSeconds": 5, "fenceSeconds": 2.5, "failoverSeconds": 6}"""));
        assertEquals(Duration.ofMillis(2500), s.fence());
        assertEquals(Duration.ofSeconds(6), s.failover());
        var e = assertThrows(IllegalArgumentException.class, () -> ClusterConfig.read(m.readTree("""
                {"endpoints": "http://10.0.0.9:2379", "leaseSeconds": 5, "fenceSeconds": 6}""")));
        assertTrue(e.getMessage().contains("fenceSeconds"), e.getMessage());
    }

    @Test
    void aMemberFencesItselfOnlyOnceT1PassedSinceTheLastAcknowledgedRenewalWasSent() {
        FailoverTiming t = timing(10, 5, 30);
        long sent = 100 * S;
        assertFalse(t.mustFence(sent, sent + 5 * S));
        assertTrue(t.mustFence(sent, sent + 5 * S + 1));
    }

    @Test
    void theLeaderFailsAMemberOverOnlyAfterItHasSeenItGoneForT2() {
        GoneMembers gone = new GoneMembers(timing(10, 5, 30));
        Set<String> watched = Set.of("a", "b");
        assertEquals(List.of(), gone.due(Set.of("a", "b"), watched, 0));
        assertEquals(List.of(), gone.due(Set.of("b"), watched, 1 * S)); // a gone, first seen at 1 s
        assertEquals(List.of(), gone.due(Set.of("b"), watched, 30 * S));
        assertEquals(List.of("a"), gone.due(Set.of("b"), watched, 31 * S));
        // back before it was failed over: forgotten, and gone again means the whole T2 again
        assertEquals(List.of(), gone.due(Set.of("a", "b"), watched, 32 * S));
        assertEquals(List.of(), gone.due(Set.of("b"), watched, 33 * S));
        assertEquals(List.of(), gone.due(Set.of("b"), watched, 62 * S));
        assertEquals(List.of("a"), gone.due(Set.of("b"), watched, 63 * S));
    }

    @Test
    void aNewLeaderWaitsTheWholeT2ItselfAndMembersWithoutReplicasAreNotWatched() {
        GoneMembers gone = new GoneMembers(timing(10, 5, 30));
        assertEquals(List.of(), gone.due(Set.of(), Set.of("a"), 100 * S));
        gone.clear(); // the lead passed on and came back: what it saw before counts for nothing
        assertEquals(List.of(), gone.due(Set.of(), Set.of("a"), 120 * S));
        assertEquals(List.of("a"), gone.due(Set.of(), Set.of("a"), 150 * S));
        assertEquals(List.of(), gone.due(Set.of(), Set.of(), 200 * S));
    }

    @Test
    void theClaimRequiresTheMemberGoneNoEarlierClaimAndTheClaimantStillLeading() {
        ClusterKeys keys = new ClusterKeys("/godwit");
        ReplicaRecord r = new ReplicaRecord("hosta", "job", "hostb", "cp1", "now", 60, 3);
        FailoverRecord f = FailoverRecord.claim(r, "hostc");
        FailoverClaim c = FailoverClaim.of(keys, r, f, "/godwit/leader/694d");
        assertEquals(Map.of(), c.equal());
        assertEquals(List.of("/godwit/members/hosta", "/godwit/failover/hosta/job"), c.absent());
        assertEquals(List.of("/godwit/leader/694d"), c.present());
        assertEquals(Set.of("/godwit/failover/hosta/job"), c.puts().keySet());
        assertTrue(c.puts().get("/godwit/failover/hosta/job").contains("\"to\":\"hostb\""), c.puts().toString());
        assertEquals(List.of("/godwit/replicas/hosta/job"), c.deletes());
    }

    @Test
    void aRetryRequiresTheMemberStillGoneTheFailedRecordUnchangedAndTheClaimantLeading() {
        ClusterKeys keys = new ClusterKeys("/godwit");
        ReplicaRecord r = new ReplicaRecord("hosta", "job", "hostb", "cp1", "now", 60, 3);
        FailoverRecord failed = FailoverRecord.claim(r, "hostc").with(FailoverRecord.FAILED, "busy");
        String read = Values.write(failed);
        FailoverRecord next = failed.retry("hostb");
        assertEquals(2, next.attempts());
        assertEquals(FailoverRecord.RESTORING, next.state());
        assertEquals(r, next.replica());
        FailoverClaim c = FailoverClaim.retry(keys, failed, read, next, "/godwit/leader/7a");
        assertEquals(List.of("/godwit/members/hosta"), c.absent());
        assertEquals(List.of("/godwit/leader/7a"), c.present());
        assertEquals(Map.of("/godwit/failover/hosta/job", read), c.equal());
        assertEquals(Map.of("/godwit/failover/hosta/job", Values.write(next)), c.puts());
        assertEquals(List.of(), c.deletes(), "the replica entry went with the first claim");
        assertEquals("/godwit/failover/", keys.failovers());
    }

    @Test
    void aFailedFailoverIsTriedAgainWithDoublingBackoffUpToTheBound() throws Exception {
        FailoverRetry retry = new FailoverRetry(3, Duration.ofSeconds(5));
        ReplicaRecord r = new ReplicaRecord("hosta", "job", "hostb", "cp1", "now", 60, 3);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        FailoverRecord first = at(FailoverRecord.claim(r, "hostc").with(FailoverRecord.FAILED, "x"), t);
        assertFalse(retry.due(first, t.plusSeconds(4)));
        assertTrue(retry.due(first, t.plusSeconds(5)));
        FailoverRecord second = at(first.retry("hostc").with(FailoverRecord.FAILED, "x"), t);
        assertEquals(2, second.attempts());
        assertFalse(retry.due(second, t.plusSeconds(9)), "the second retry waits twice as long");
        assertTrue(retry.due(second, t.plusSeconds(10)));
        FailoverRecord third = at(second.retry("hostc").with(FailoverRecord.FAILED, "x"), t);
        assertFalse(retry.due(third, t.plusSeconds(3600)), "three attempts in all");
        assertTrue(retry.exhausted(third));
        assertFalse(retry.exhausted(second));
        // running, restoring, or a record of an older daemon (no replica to restore from): never tried again
        assertFalse(retry.due(at(first.with(FailoverRecord.RUNNING, null), t), t.plusSeconds(60)));
        assertFalse(retry.due(at(first.retry("hostc"), t), t.plusSeconds(60)));
        FailoverRecord old = Values.read("{\"node\":\"hosta\",\"container\":\"job\",\"to\":\"hostb\",\"checkpoint\":\"cp1\","
                + "\"state\":\"failed\",\"leader\":\"hostc\",\"at\":\"2026-01-01T00:00:00Z\",\"error\":\"x\"}",
                FailoverRecord.class);
        assertEquals(0, old.attempts());
        assertFalse(retry.due(old, t.plusSeconds(60)));
    }

    private static FailoverRecord at(FailoverRecord f, Instant t) {
        return new FailoverRecord(f.node(), f.container(), f.to(), f.checkpoint(), f.state(), f.leader(), t.toString(),
                f.error(), f.attempts(), f.replica());
    }
}
