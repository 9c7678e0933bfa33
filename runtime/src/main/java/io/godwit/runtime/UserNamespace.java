package io.godwit.runtime;

/**
 * A container's user namespace ("security.userns" in config.json): container ids 0..size-1 are host
 * ids hostUid.. (users) and hostGid.. (groups), so the container's root is an unprivileged host user.
 * A request gives {@code {}}; the runtime picks a free range at create time ({@link UsernsRanges}) and
 * records it here, so the spec that travels with checkpoints and moves says which range the files use.
 */
public record UserNamespace(Long hostUid, Long hostGid, Long size) {
    /** Ids per container: what a Linux distribution's users and groups expect to find. */
    public static final long DEFAULT_SIZE = 65536;

    public boolean allocated() {
        return hostUid != null && hostGid != null && size != null;
    }

    void validate() {
        if (hostUid == null && hostGid == null && size == null) {
            return; // a request: the runtime allocates
        }
        if (!allocated()) {
            throw new InvalidSpecException("security.userns", "give all of hostUid, hostGid and size, or none");
        }
        if (hostUid < 1 || hostGid < 1 || size < 1 || hostUid + size > 0xFFFFFFFFL || hostGid + size > 0xFFFFFFFFL) {
            throw new InvalidSpecException("security.userns", "hostUid/hostGid must be > 0 (host root is never mapped)"
                    + " and the range must fit below 2^32: " + this);
        }
    }

    /** The host id of container id {@code id} (uid when {@code user}, else gid); ids past the range stay as they are. */
    long toHost(long id, boolean user) {
        return id < size ? id + (user ? hostUid : hostGid) : id;
    }

    @Override
    public String toString() {
        return "0:" + hostUid + ":" + size + " (uid), 0:" + hostGid + ":" + size + " (gid)";
    }
}
