import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The test service of Godwit's warm-start tests and bench: a JVM HTTP service that, like a real one,
 * does seconds of warm-up before it answers (class loading, then the same parse / serialize /
 * compute code run until the JIT compiled it), then answers GET / with one line:
 * {@code warm-service ok host=H seed=S restored=CHECKPOINT|no clone=NAME|- warmup=CHECKSUM}.
 * The checksum is the same in every run (the work is deterministic), so a client can check the
 * answer is right. Usage: WarmService PORT [ROUNDS] (default 40 rounds).
 *
 * <p>Restored from a checkpoint, it is a clone: before a request is answered it looks at
 * /run/godwit/restored (written by Godwit into each clone before it resumes, see docs/WARM-JVM.md)
 * and, when that file is new, re-seeds its randomness from it and takes the clone's identity.
 */
public final class WarmService {
    private static final Path RESTORED = Path.of("/run/godwit/restored");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"[^\"]*\"|-?\\d+)");

    private static volatile SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    private static volatile long seed;
    private static volatile String seenRestore = "";
    private static volatile Map<String, String> identity = Map.of();
    private static volatile String warmup = "";

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        reseed(new SecureRandom().nextLong());
        String checksum = warmUp(rounds);
        warmup = checksum;
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
        server.createContext("/", WarmService::answer);
        server.start();
        System.out.println("ready warmup=" + checksum + " port=" + port);
    }

    private static void answer(HttpExchange ex) throws IOException {
        noticeRestore();
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        String body = "warm-service ok host=" + host + " seed=" + Long.toHexString(seed)
                + " restored=" + identity.getOrDefault("checkpoint", "no")
                + " clone=" + identity.getOrDefault("name", "-")
                + " sample=" + random.nextInt(1_000_000) + " warmup=" + warmup + "\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, bytes.length);
        try (var out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A new /run/godwit/restored means this process is a fresh clone: new seed, new identity. */
    private static synchronized void noticeRestore() throws IOException {
        if (!Files.exists(RESTORED)) {
            return;
        }
        String text = Files.readString(RESTORED);
        if (text.equals(seenRestore)) {
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String s = fields.getOrDefault("seed", "");
        long fresh = s.length() >= 16 ? Long.parseUnsignedLong(s.substring(0, 16), 16) : new SecureRandom().nextLong();
        reseed(fresh);
        identity = Map.copyOf(fields);
        seenRestore = text;
    }

    private static void reseed(long s) {
        seed = s;
        random = new SplittableRandom(s);
    }

    /**
     * Real warm-up: each round builds 2,000 orders, serializes them to JSON text, parses the text
     * back with a regex, and computes totals, a sort, a SHA-256 and a BigInteger product over them.
     * Deterministic: every run returns the same checksum.
     */
    static String warmUp(int rounds) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            BigInteger acc = BigInteger.ONE;
            for (int r = 0; r < rounds; r++) {
                SplittableRandom rnd = new SplittableRandom(r);
                List<Order> orders = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    orders.add(new Order(i, "customer-" + rnd.nextInt(500), rnd.nextInt(1, 100), rnd.nextLong(1, 1_000_000)));
                }
                String json = orders.stream().map(Order::json).collect(Collectors.joining(",", "[", "]"));
                List<Order> parsed = parse(json);
                Map<String, Long> byCustomer = parsed.stream()
                        .collect(Collectors.groupingBy(Order::customer, Collectors.summingLong(o -> o.quantity() * o.cents())));
                List<Map.Entry<String, Long>> top = byCustomer.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10).toList();
                sha.update(json.getBytes(StandardCharsets.UTF_8));
                sha.update(top.toString().getBytes(StandardCharsets.UTF_8));
                acc = acc.multiply(BigInteger.valueOf(top.get(0).getValue() | 1)).mod(BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8) + acc.toString(16).substring(0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Order> parse(String json) {
        List<Order> out = new ArrayList<>();
        for (String obj : json.substring(2, json.length() - 2).split("\\},\\{")) {
            Map<String, String> f = new LinkedHashMap<>();
            Matcher m = FIELD.matcher(obj);
            while (m.find()) {
                f.put(m.group(1), m.group(2).replace("\"", ""));
            }
            out.add(new Order(Integer.parseInt(f.get("id")), f.get("customer"),
                    Integer.parseInt(f.get("quantity")), Long.parseLong(f.get("cents"))));
        }
        return out;
    }

    record Order(int id, String customer, int quantity, long cents) {
        String json() {
            return "{\"id\":" + id + ",\"customer\":\"" + customer + "\",\"quantity\":" + quantity + ",\"cents\":" + cents + "}";
        }
    }
}
