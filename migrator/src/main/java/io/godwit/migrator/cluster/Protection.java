package io.godwit.migrator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.migrator.catalog.Catalog;
import io.godwit.migrator.catalog.ScheduleRecord;
import io.godwit.migrator.cli.DaemonClient;
import java.time.Instant;
import java.util.Map;

/**
 * What makes a container a protected job: its failover policy and its checkpoint schedule. A move
 * carries both in its restore order; an evacuation, and the restore that brings containers back,
 * also read them before the move and set them where the container runs after it, so that a
 * failover job evacuated for maintenance stays protected even on a member too old to keep them.
 *
 * @param policy       FailoverPolicy.NONE or RESTORE
 * @param everySeconds the schedule's period (0: none)
 * @param keep         the schedule's retention
 */
record Protection(String policy, long everySeconds, int keep) {
    static final Protection NONE = new Protection(FailoverPolicy.NONE, 0, 0);

    boolean any() {
        return FailoverPolicy.RESTORE.equals(policy) || everySeconds > 0;
    }

    /** The container's protection in this daemon's catalog. */
    static Protection here(Catalog catalog, String container) throws Exception {
        String policy = catalog.failoverPolicies().getOrDefault(container, FailoverPolicy.NONE);
        for (ScheduleRecord s : catalog.schedules()) {
            if (s.container().equals(container)) {
                return new Protection(policy, s.everySeconds(), s.keep());
            }
        }
        return new Protection(policy, 0, 0);
    }

    /** The container's protection on another member, through its API. */
    static Protection on(DaemonClient member, String container) throws Exception {
        String policy = member.get("/1.0/containers/" + DaemonClient.seg(container) + "/failover").json()
                .path("onNodeFailure").asText(FailoverPolicy.NONE);
        for (JsonNode s : member.get("/1.0/schedules").json()) {
            if (container.equals(s.path("container").asText())) {
                return new Protection(policy, s.path("everySeconds").asLong(), s.path("keep").asInt(1));
            }
        }
        return new Protection(policy, 0, 0);
    }

    void applyHere(Catalog catalog, String container) throws Exception {
        if (FailoverPolicy.RESTORE.equals(policy)) {
            catalog.putFailoverPolicy(container, policy);
        }
        if (everySeconds > 0) {
            catalog.putSchedule(new ScheduleRecord(container, everySeconds, Math.max(1, keep), Instant.now(), null));
        }
    }

    void applyOn(DaemonClient member, String container) throws Exception {
        String c = "/1.0/containers/" + DaemonClient.seg(container);
        if (FailoverPolicy.RESTORE.equals(policy)) {
            member.put(c + "/failover", Map.of("onNodeFailure", policy));
        }
        if (everySeconds > 0) {
            member.put(c + "/schedule", Map.of("every", everySeconds + "s", "keep", Math.max(1, keep)));
        }
    }
}
