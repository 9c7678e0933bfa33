package io.godwit.migrator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import io.godwit.criu.CriuLaunch;
import io.godwit.migrator.host.BreakpointMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * godwitd's settings file (JSON): where its state and socket are, its TLS listen address, the
 * cgroup its containers go under, how much it logs, and defaults for new containers. Every key
 * is optional; an unknown key, a wrong type or a bad value is an error that names the key. The
 * settings are merged as: a command-line option given > the file > the built-in default.
 * <pre>
 * {"root": "/var/lib/godwit", "socket": "/run/godwit/godwit.sock", "listen": "10.0.0.1:8443",
 *  "cgroupParent": "godwit", "logLevel": "info",
 *  "defaults": {"limits": {"memoryBytes": "512M", "cpuMillis": 1000, "pids": 256}}}
 * </pre>
 */
public final class DaemonConfigFile {
    /** Read when --config is not given and it exists. */
    public static final Path DEFAULT_PATH = Path.of("/etc/godwit/godwitd.json");
    public static final String DEFAULT_CGROUP_PARENT = "godwit";

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Pattern CGROUP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([KMGT]?)i?B?", Pattern.CASE_INSENSITIVE);
    private static final Map<String, Level> LEVELS = Map.of("error", Level.SEVERE, "warning", Level.WARNING,
            "info", Level.INFO, "debug", Level.FINE, "trace", Level.FINEST);

    /** The settings the daemon runs with, after the merge. {@code source} is the file read, or null. */
    public record Settings(Path root, Path socket, String listen, String cgroupParent, Level logLevel,
            ContainerDefaults containerDefaults, BreakpointMode criuBreakpoints, Duration criuStall, Path source,
            io.godwit.migrator.cluster.ClusterSettings cluster, io.godwit.runtime.ConsoleLog consoleLog,
            io.godwit.migrator.store.StoreSettings store) {
    }

    /** A settings file that cannot be used; the message names the file and the key. */
    public static final class ConfigException extends Exception {
        private static final long serialVersionUID = 1L;

        ConfigException(String message) {
            super(message);
        }
    }

    // The file's shape. Scalars are read as JsonNode so that each value is checked, and named, here.
    record FileSettings(JsonNode root, JsonNode socket, JsonNode listen, JsonNode cgroupParent, JsonNode logLevel,
            FileDefaults defaults, JsonNode criuBreakpoints, JsonNode criuStallSeconds, JsonNode cluster,
            FileConsoleLog consoleLog, JsonNode store) {
    }

    /** consoleLog: {"maxBytes": "16M", "files": 2}: each container's console.log rotated at maxBytes, files kept. */
    record FileConsoleLog(JsonNode maxBytes, JsonNode files) {
    }

    record FileDefaults(FileLimits limits) {
    }

    record FileLimits(JsonNode memoryBytes, JsonNode cpuMillis, JsonNode pids) {
    }

    private DaemonConfigFile() {
    }

    /**
     * Reads {@code configOption} (the --config value; null for the default file if it exists) and
     * merges it with the options the command line gave.
     */
    public static Settings resolve(Path configOption, CommandLine.ParseResult options) throws ConfigException {
        return resolve(configOption, options, DEFAULT_PATH);
    }

    static Settings resolve(Path configOption, CommandLine.ParseResult options, Path defaultPath) throws ConfigException {
        Path file = configOption != null ? configOption : Files.exists(defaultPath) ? defaultPath : null;
        FileSettings f = file == null ? new FileSettings(null, null, null, null, null, null, null, null, null, null, null) : read(file);
        String where = file == null ? "" : file + ": ";
        Path root = option(options, "--root", Path.class);
        if (root == null) {
            root = absolutePath(where, "root", f.root(), DaemonConfig.DEFAULT_ROOT);
        }
        Path socket = option(options, "--socket", Path.class);
        if (socket == null) {
            socket = absolutePath(where, "socket", f.socket(), DaemonConfig.DEFAULT_SOCKET);
        }
        String listen = option(options, "--listen", String.class);
        listen = listen != null ? checkListen("--listen: ", listen) : listen(where, f.listen());
        String cgroupParent = option(options, "--cgroup-parent", String.class);
        if (cgroupParent == null) {
            cgroupParent = cgroupParent(where, f.cgroupParent());
        }
        Level level = logLevel(where, f.logLevel());
        FileLimits limits = f.defaults() == null || f.defaults().limits() == null
                ? new FileLimits(null, null, null) : f.defaults().limits();
        ContainerDefaults defaults = new ContainerDefaults(size(where, "defaults.limits.memoryBytes", limits.memoryBytes()),
                count(where, "defaults.limits.cpuMillis", limits.cpuMillis()),
                count(where, "defaults.limits.pids", limits.pids()));
        String bp = option(options, "--criu-breakpoints", String.class);
        BreakpointMode breakpoints;
        try {
            breakpoints = bp != null ? BreakpointMode.parse(bp)
                    // the property lets a test force a mode on daemons whose command line it does not write
                    : absent(f.criuBreakpoints()) ? BreakpointMode.parse(System.getProperty("godwit.criuBreakpoints", "auto"))
                    : BreakpointMode.parse(text(where, "criuBreakpoints", f.criuBreakpoints()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException((bp != null ? "--criu-breakpoints: " : where + "key 'criuBreakpoints': ")
                    + e.getMessage());
        }
        Integer stallOption = option(options, "--criu-stall-seconds", Integer.class);
        Long stall = stallOption != null ? Long.valueOf(stallOption) : count(where, "criuStallSeconds", f.criuStallSeconds());
        if (stall != null && stall < 1) {
            throw new ConfigException((stallOption != null ? "--criu-stall-seconds: " : where + "key 'criuStallSeconds': ")
                    + stall + " is not a positive number of seconds");
        }
        Duration criuStall = stall == null ? CriuLaunch.DEFAULT_STALL_TIMEOUT : Duration.ofSeconds(stall);
        return new Settings(root.toAbsolutePath(), socket.toAbsolutePath(), listen, cgroupParent, level, defaults,
                breakpoints, criuStall, file, cluster(where, f.cluster(), option(options, "--cluster", String.class)),
                consoleLog(where, f.consoleLog()), store(where, f.store()));
    }

    /** The fleet to join: the file's "cluster", whose endpoints --cluster URLS replaces; null for none. */
    private static io.godwit.migrator.cluster.ClusterSettings cluster(String where, JsonNode v, String urls)
            throws ConfigException {
        try {
            var fromFile = io.godwit.migrator.cluster.ClusterConfig.read(v);
            if (urls == null) {
                return fromFile;
            }
            var given = io.godwit.migrator.cluster.ClusterSettings.ofUrls(urls);
            return fromFile == null ? given : fromFile.withEndpoints(given.endpoints());
        } catch (IllegalArgumentException e) {
            throw new ConfigException((urls != null && v == null ? "--cluster: " : where) + e.getMessage());
        }
    }

    /** The checkpoint store's settings (docs/STORE.md); absent: off, images kept as full copies. */
    private static io.godwit.migrator.store.StoreSettings store(String where, JsonNode v) throws ConfigException {
        try {
            return io.godwit.migrator.store.StoreSettings.read(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + e.getMessage());
        }
    }

    private static io.godwit.runtime.ConsoleLog consoleLog(String where, FileConsoleLog c) throws ConfigException {
        if (c == null) {
            return io.godwit.runtime.ConsoleLog.DEFAULT;
        }
        Long max = size(where, "consoleLog.maxBytes", c.maxBytes());
        int files = io.godwit.runtime.ConsoleLog.DEFAULT.files();
        if (!absent(c.files())) {
            if (!c.files().isIntegralNumber() || c.files().asLong() < 0 || c.files().asLong() > 100) {
                throw new ConfigException(where + "key 'consoleLog.files' must be a whole number from 0 to 100, not "
                        + c.files());
            }
            files = c.files().asInt();
        }
        try {
            return new io.godwit.runtime.ConsoleLog(max == null ? io.godwit.runtime.ConsoleLog.DEFAULT.maxBytes() : max,
                    files);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + "key 'consoleLog': " + e.getMessage());
        }
    }

    /** The value of an option given on the command line, or null (also for an option this build lacks). */
    private static <T> T option(CommandLine.ParseResult options, String name, Class<T> type) {
        if (options == null || !options.hasMatchedOption(name)) {
            return null;
        }
        return type.cast(options.matchedOptionValue(name, null));
    }

    private static FileSettings read(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        try {
            JsonNode tree = STRICT.readTree(text);
            if (tree == null || tree.isMissingNode() || !tree.isObject()) {
                throw new ConfigException(file + ": must be one JSON object, e.g. {\"root\": \"/var/lib/godwit\"}");
            }
            return STRICT.treeToValue(tree, FileSettings.class);
        } catch (UnrecognizedPropertyException e) {
            String key = path(e, e.getPropertyName());
            List<String> known = e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            throw new ConfigException(file + ": unknown key '" + key + "' (known here: " + String.join(", ", known) + ")");
        } catch (MismatchedInputException e) {
            throw new ConfigException(file + ": key '" + path(e, null) + "' must be a JSON object");
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
    }

    private static String path(JsonMappingException e, String last) {
        String p = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        return last == null || p.endsWith(last) ? p : p.isEmpty() ? last : p + "." + last;
    }

    private static boolean absent(JsonNode v) {
        return v == null || v.isNull();
    }

    private static String text(String where, String key, JsonNode v) throws ConfigException {
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new ConfigException(where + "key '" + key + "' must be a non-empty string, not " + v);
        }
        return v.asText();
    }

    private static Path absolutePath(String where, String key, JsonNode v, Path fallback) throws ConfigException {
        if (absent(v)) {
            return fallback;
        }
        Path p = Path.of(text(where, key, v));
        if (!p.isAbsolute()) {
            throw new ConfigException(where + "key '" + key + "' must be an absolute path, not " + v);
        }
        return p.normalize();
    }

    private static String listen(String where, JsonNode v) throws ConfigException {
        return absent(v) ? null : checkListen(where + "key 'listen': ", text(where, "listen", v));
    }

    /** ADDR:PORT with a host name, an IPv4 address or a bracketed IPv6 address, and a port 1..65535. */
    static String checkListen(String prefix, String value) throws ConfigException {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        String port = colon < 0 ? "" : value.substring(colon + 1);
        boolean hostOk = host.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?") || host.matches("\\[[0-9A-Fa-f:.]+\\]");
        int n = port.matches("\\d{1,5}") ? Integer.parseInt(port) : -1;
        if (!hostOk || n < 1 || n > 65535) {
            throw new ConfigException(prefix + "'" + value + "' is not ADDR:PORT (e.g. 10.0.0.1:8443, [::1]:8443)");
        }
        return value;
    }

    private static String cgroupParent(String where, JsonNode v) throws ConfigException {
        if (absent(v)) {
            return DEFAULT_CGROUP_PARENT;
        }
        String name = text(where, "cgroupParent", v);
        if (!CGROUP_NAME.matcher(name).matches()) {
            throw new ConfigException(where + "key 'cgroupParent': '" + name
                    + "' is not a cgroup name (letters, digits, '_', '.', '-'; no '/')");
        }
        return name;
    }

    private static Level logLevel(String where, JsonNode v) throws ConfigException {
        if (absent(v)) {
            return Level.INFO;
        }
        Level l = LEVELS.get(text(where, "logLevel", v).toLowerCase(Locale.ROOT));
        if (l == null) {
            throw new ConfigException(where + "key 'logLevel': " + v + " is not one of error, warning, info, debug, trace");
        }
        return l;
    }

    /** Bytes as a number, or a string with a binary unit: "512M", "2G", "64KiB". */
    private static Long size(String where, String key, JsonNode v) throws ConfigException {
        if (absent(v)) {
            return null;
        }
        if (v.isTextual()) {
            Matcher m = SIZE.matcher(v.asText().strip());
            if (m.matches()) {
                int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
                    case "K" -> 10;
                    case "M" -> 20;
                    case "G" -> 30;
                    case "T" -> 40;
                    default -> 0;
                };
                long n = Long.parseLong(m.group(1));
                if (n > 0 && n <= (Long.MAX_VALUE >> shift)) {
                    return n << shift;
                }
            }
            throw new ConfigException(where + "key '" + key + "': " + v + " is not a size such as 512M or 2G");
        }
        return count(where, key, v);
    }

    private static Long count(String where, String key, JsonNode v) throws ConfigException {
        if (absent(v)) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() <= 0) {
            throw new ConfigException(where + "key '" + key + "' must be a whole number above 0, not " + v);
        }
        return v.asLong();
    }

    /** Sets the level of the root logger and its handlers (the console), so that debug lines show. */
    public static void applyLogLevel(Level level) {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(level);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(level);
        }
    }
}
