package io.godwit.migrator.ops;

import io.godwit.migrator.api.ApiException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which containers have a checkpoint or restore under way. Two at once on one container would
 * fight over its freezer and its files (the second dump found it paused and failed, and its
 * clean-up could thaw the container under the first), so the second is refused up front with a
 * 409 that says what the container is busy with.
 */
public final class ContainerClaims {
    /** Held while the work runs; closing it (more than once is fine) frees the container. */
    public interface Claim extends AutoCloseable {
        @Override
        void close();
    }

    private final Map<String, Held> held = new ConcurrentHashMap<>();

    private final class Held implements Claim {
        private final String container;
        private final String what;
        private final AtomicBoolean closed = new AtomicBoolean();

        Held(String container, String what) {
            this.container = container;
            this.what = what;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                held.remove(container, this);
            }
        }
    }

    /** Claims {@code container} for {@code what} (e.g. "checkpoint"), or throws a 409 naming what holds it. */
    public Claim claim(String container, String what) {
        Held mine = new Held(container, what);
        Held other = held.putIfAbsent(container, mine);
        if (other != null) {
            throw ApiException.conflict("container " + container + " is busy: a " + other.what
                    + " of it is under way; try again when it has finished");
        }
        return mine;
    }

    /** What holds {@code container} now, or null. */
    public String holder(String container) {
        Held h = held.get(container);
        return h == null ? null : h.what;
    }
}
