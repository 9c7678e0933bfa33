package io.godwit.migrator.cluster;

import java.util.List;

/**
 * Which member holds the replicas of a failover container. Pure. The member that holds them now
 * stays while it is fit (alive, ready, listening, a working CRIU, a CPU with the source's features,
 * room on disk for the checkpoint): it already has the image and the older generations, and a
 * holder that changed with every checkpoint would send everything each time. Otherwise the planner
 * chooses, as for an evacuation.
 */
public final class ReplicaPlacement {
    private ReplicaPlacement() {
    }

    /** The member to send to: target null (with why) when none fits. */
    public static Placement.Assignment choose(Member self, Placement.Need need, List<Member> members, String current) {
        if (current != null && !current.equals(self.name())) {
            for (Member m : members) {
                if (m.name().equals(current) && Placement.unfit(self, m) == null
                        && m.capacity().diskFree() - Placement.DISK_HEADROOM >= need.diskBytes()) {
                    return new Placement.Assignment(need.name(), m.name(), need.memoryBytes(), "holds its replicas already");
                }
            }
        }
        return Placement.plan(self, List.of(need), members).get(0);
    }
}
