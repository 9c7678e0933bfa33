package io.godwit.migrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A member back under a live lease drops its fenced copy only once the job runs elsewhere. */
class SettlementTest {
    private static FailoverRecord record(String to, String state) {
        return new FailoverRecord("hosta", "job", to, "cp1", state, "hostc", "2026-12-02T00:00:00Z", null, 1, null);
    }

    @Test
    void notClaimedOrClaimedBackHereCarriesOn() {
        assertEquals(Settlement.THAW, Settlement.of(null, "hosta"));
        assertEquals(Settlement.THAW, Settlement.of(record("hosta", FailoverRecord.RUNNING), "hosta"));
    }

    @Test
    void runningElsewhereDropsTheCopy() {
        assertEquals(Settlement.DROP, Settlement.of(record("hostb", FailoverRecord.RUNNING), "hosta"));
    }

    @Test
    void aFailedFailoverCarriesOnHere() {
        assertEquals(Settlement.THAW, Settlement.of(record("hostb", FailoverRecord.FAILED), "hosta"));
    }

    @Test
    void aRestoreStillUnderWayIsWaitedFor() {
        // dropping now would lose the job if that restore then failed
        assertEquals(Settlement.WAIT, Settlement.of(record("hostb", FailoverRecord.RESTORING), "hosta"));
        assertEquals(Settlement.WAIT, Settlement.of(record("hostb", FailoverRecord.RESTORING).retry("hostc"), "hosta"));
    }
}
