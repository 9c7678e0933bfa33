package io.godwit.criu;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The outcome of a DUMP or PRE_DUMP. {@code restored} is true when CRIU reports that the tasks
 * were restored in place by a post-dump script (rare). {@code logFile} is CRIU's log.
 */
public record DumpResult(boolean restored, Duration elapsed, Path logFile) {}
