package io.godwit.migrator.cluster;

/**
 * What a member that can renew its lease again does with a container it had fenced, given the
 * container's failover record (null when the leader never claimed it). A copy is dropped only once
 * another member runs the job; while a restore elsewhere is still under way the copy stays fenced,
 * since that restore may yet fail and the fenced copy would then be the only one left.
 */
enum Settlement {
    /** Restored elsewhere: delete the copy here (its checkpoints stay). */
    DROP,
    /** Not failed over, or the failover failed: the job carries on here. */
    THAW,
    /** A restore elsewhere is under way: stay fenced and look again at the next renewal. */
    WAIT;

    static Settlement of(FailoverRecord f, String node) {
        if (f == null || node.equals(f.to()) || FailoverRecord.FAILED.equals(f.state())) {
            return THAW;
        }
        return FailoverRecord.RESTORING.equals(f.state()) ? WAIT : DROP;
    }
}
