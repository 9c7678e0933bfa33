package io.godwit.migrator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** How JSON values from the API are shown in tables and summaries. */
final class Fmt {
    private Fmt() {}

    private static final DateTimeFormatter LOCAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    /** Text of a field, "-" when absent or null, so that table columns never collapse. */
    static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() || n.asText().isEmpty() ? "-" : n.asText();
    }

    /**
     * A time in local time. The contract does not fix the encoding, so accept what a daemon
     * is likely to send: ISO-8601 text, or epoch milliseconds (seconds when small).
     */
    static String time(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "-";
        }
        if (n.isNumber()) {
            long v = n.asLong();
            if (v <= 0) {
                return "-";
            }
            return LOCAL.format(v < 100_000_000_000L ? Instant.ofEpochSecond(v) : Instant.ofEpochMilli(v));
        }
        String s = n.asText();
        try {
            return LOCAL.format(Instant.parse(s));
        } catch (DateTimeParseException e) {
            try {
                return LOCAL.format(OffsetDateTime.parse(s).toInstant());
            } catch (DateTimeParseException e2) {
                return s.isEmpty() ? "-" : s;
            }
        }
    }

    static String bytes(JsonNode n) {
        return n == null || !n.isNumber() ? "-" : Sizes.human(n.asLong());
    }

    /** "45s", "10m", "2h", "1d" for a whole number of seconds; the way schedules are written. */
    static String seconds(JsonNode n) {
        if (n == null || !n.isNumber()) {
            return text(n);
        }
        long s = n.asLong();
        if (s > 0 && s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s > 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s > 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    static String pretty(JsonNode n) {
        try {
            return DaemonClient.json().writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            return n.toString();
        }
    }

    /** An operation's bytes, "12.0MiB/40.0MiB (30%)", or "-" when it reports none. */
    static String progress(JsonNode op) {
        long done = op.path("bytesDone").asLong(0);
        long total = op.path("bytesTotal").asLong(0);
        if (total > 0) {
            return Sizes.human(done) + "/" + Sizes.human(total) + " (" + Math.min(100, done * 100 / total) + "%)";
        }
        return done > 0 ? Sizes.human(done) : "-";
    }
}
