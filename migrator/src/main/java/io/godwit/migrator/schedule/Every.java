package io.godwit.migrator.schedule;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses schedule intervals written the way people write them: "90s", "10m", "1h30m", "2d". */
public final class Every {
    private static final Pattern PART = Pattern.compile("(\\d+)([smhd])");

    private Every() {
    }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("'every' is required, e.g. 10m");
        }
        Matcher m = PART.matcher(text.strip());
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            end = m.end();
        }
        if (end != text.strip().length() || total.isZero()) {
            throw new IllegalArgumentException("invalid interval '" + text + "': use e.g. 30s, 10m, 1h30m");
        }
        if (total.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("interval '" + text + "' is shorter than one second");
        }
        return total;
    }
}
