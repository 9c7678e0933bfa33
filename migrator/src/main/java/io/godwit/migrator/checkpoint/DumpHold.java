package io.godwit.migrator.checkpoint;

import io.godwit.criu.CriuNotifications;
import io.godwit.criu.CriuOptions;
import io.godwit.runtime.CheckpointTarget;
import io.godwit.runtime.ContainerRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * Holds a container still for its dump, in the order its tasks allow; either way the container
 * is frozen (PAUSED) once CRIU has its state, and stays so until the caller thaws or kills it.
 *
 * <p>Usually the cgroup is frozen first and CRIU seizes the frozen tasks (freeze_cgroup): the
 * whole tree stops at one instant, even while it forks. A task stopped by a signal cannot be
 * seized that way: PTRACE_SEIZE of a stopped task waits in the kernel until the task re-traps,
 * which a frozen task never does, so CRIU hung in ptrace_attach, killable only by SIGKILL
 * (measured on kernel 6.18; CRIU freezing the cgroup itself hangs the same way). When the tree
 * has a stopped task, CRIU therefore seizes the tasks with ptrace alone, and the cgroup is
 * frozen at CRIU's post-dump notification, while CRIU still holds every task: when CRIU lets
 * go, the tasks are frozen as after the usual order, and the stopped one is still stopped.
 */
public final class DumpHold {
    private static final Logger LOG = Logger.getLogger(DumpHold.class.getName());

    private final ContainerRuntime runtime;
    private final String name;
    private final CheckpointTarget target;
    private final boolean freezeFirst;
    private volatile boolean frozen;

    private DumpHold(ContainerRuntime runtime, String name, CheckpointTarget target, boolean freezeFirst) {
        this.runtime = runtime;
        this.name = name;
        this.target = target;
        this.freezeFirst = freezeFirst;
    }

    /** Looks for stopped tasks and freezes the container now unless it has one. */
    public static DumpHold begin(ContainerRuntime runtime, String name, CheckpointTarget target) throws IOException {
        List<Integer> stopped = StoppedTasks.under(target.initPid());
        DumpHold hold = new DumpHold(runtime, name, target, stopped.isEmpty());
        if (hold.freezeFirst) {
            runtime.pause(name);
            hold.frozen = true;
        } else {
            LOG.info("container " + name + " has stopped tasks " + stopped
                    + ": CRIU seizes them with ptrace, the cgroup is frozen once they are dumped");
        }
        return hold;
    }

    /** Whether the container is frozen now (before the dump: only in the usual order). */
    public boolean frozen() {
        return frozen;
    }

    /** The dump's options: {@link DumpOptions}, with freeze_cgroup only in the usual order. */
    public CriuOptions.Builder options(Path imagesDir, Path workDir) {
        return DumpOptions.of(target, imagesDir, workDir, freezeFirst);
    }

    /** The notifications to give CRIU: next's, and the freeze at post-dump when the tasks were not frozen first. */
    public CriuNotifications notifications(CriuNotifications next) {
        if (freezeFirst) {
            return next;
        }
        return new ForwardingNotifications(next) {
            @Override
            public void postDump() throws Exception {
                super.postDump();
                runtime.pause(name);
                frozen = true;
            }
        };
    }
}
