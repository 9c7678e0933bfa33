package io.godwit.migrator.api;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Gives every call an id: the client's {@code X-Request-Id} when it sent a sane one (so a caller
 * can follow its own id through our log), else a fresh random one. The id is echoed in the reply,
 * written in the access log and put into error bodies.
 */
public final class RequestIds implements Middleware {
    public static final String HEADER = "X-Request-Id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private final SecureRandom random = new SecureRandom();

    @Override
    public Answer handle(Call call, Endpoint next) throws Exception {
        String offered = call.header("x-request-id");
        String id = offered != null && SANE.matcher(offered).matches() ? offered : fresh();
        return next.serve(call.withRequestId(id)).withHeader(HEADER, id);
    }

    private String fresh() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
