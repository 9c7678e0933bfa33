package io.godwit.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.function.Consumer;

/**
 * One line on stderr, redrawn in place, showing an operation's phase and bytes. Drawn only
 * when stderr is a terminal, so logs and pipes never get carriage-return noise.
 */
final class ProgressBar implements Consumer<JsonNode>, AutoCloseable {
    private static final int BAR = 24;
    private static final String SPIN = "|/-\\";

    private final PrintWriter err;
    private final boolean enabled;
    private final String label;
    private int drawnWidth;
    private int ticks;

    ProgressBar(PrintWriter err, boolean enabled, String label) {
        this.err = err;
        this.enabled = enabled;
        this.label = label;
    }

    @Override
    public void accept(JsonNode op) {
        if (!enabled) {
            return;
        }
        String line = render(op);
        // Pad with spaces so a shorter line fully covers the previous one.
        err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
        err.flush();
        drawnWidth = line.length();
    }

    String render(JsonNode op) {
        StringBuilder sb = new StringBuilder(label);
        String phase = op.path("phase").asText("");
        if (!phase.isEmpty()) {
            sb.append(' ').append(phase);
        }
        long done = op.path("bytesDone").asLong(0);
        long total = op.path("bytesTotal").asLong(0);
        if (total > 0) {
            int filled = (int) Math.min(BAR, done * BAR / total);
            sb.append(" [").append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ")
                    .append(Math.min(100, done * 100 / total)).append("% ")
                    .append(Sizes.human(done)).append('/').append(Sizes.human(total));
        } else {
            sb.append(' ').append(SPIN.charAt(ticks++ % SPIN.length()));
            if (done > 0) {
                sb.append(' ').append(Sizes.human(done));
            }
        }
        return sb.toString();
    }

    /** Erases the bar so that what is printed next starts on a clean line. */
    @Override
    public void close() {
        if (enabled && drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            err.flush();
            drawnWidth = 0;
        }
    }

    /**
     * Whether to draw at all. Since JDK 22, System.console() is non-null even when the streams
     * are redirected, and Console.isTerminal() tells the truth; we compile for 21, so ask for
     * it reflectively and fall back to the JDK 21 meaning of a non-null console.
     */
    static boolean terminal() {
        if ("0".equals(System.getenv("GODWIT_PROGRESS"))) {
            return false;
        }
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
