package io.godwit.criu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the lines of a CRIU log that explain a failure: the first Error lines that are not
 * known noise, with a little context before each, so the real cause is in the exception.
 */
final class CriuLog {
    private static final int CONTEXT_BEFORE = 2;
    private static final int MAX_LINES = 20;
    private static final int TAIL_WHEN_NO_ERROR = 8;

    private CriuLog() {}

    /** Noise on this platform: no CAP_SYS_RESOURCE, and iptables is absent (nftables is used). */
    static boolean harmless(String line) {
        return line.contains("RLIMIT_NOFILE") || line.contains("iptables") || line.contains("ip6tables");
    }

    static boolean isError(String line) {
        return (line.contains("Error (") || line.startsWith("Error") || line.contains(": Error")) && !harmless(line);
    }

    static List<String> excerpt(Path log) {
        if (log == null || !Files.isRegularFile(log)) return List.of();
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return List.of("(cannot read " + log + ": " + e + ")");
        }
        return excerpt(lines);
    }

    static List<String> excerpt(List<String> lines) {
        List<String> out = new ArrayList<>();
        int lastTaken = -1;
        for (int i = 0; i < lines.size() && out.size() < MAX_LINES; i++) {
            if (!isError(lines.get(i))) continue;
            for (int j = Math.max(lastTaken + 1, i - CONTEXT_BEFORE); j <= i && out.size() < MAX_LINES; j++) {
                if (!harmless(lines.get(j))) out.add(lines.get(j).strip());
            }
            lastTaken = i;
        }
        if (out.isEmpty()) {
            for (int i = Math.max(0, lines.size() - TAIL_WHEN_NO_ERROR); i < lines.size(); i++) {
                if (!harmless(lines.get(i))) out.add(lines.get(i).strip());
            }
        }
        return out;
    }
}
