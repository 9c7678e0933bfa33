package io.godwit.migrator.api;

/**
 * Says which API the daemon speaks in every reply ({@code Godwit-Api-Version}) and refuses a
 * client that asks, with the same header, for a major version it does not speak: better a clear
 * 400 than answers the client misreads.
 */
public final class ApiVersion implements Middleware {
    public static final String HEADER = "Godwit-Api-Version";
    public static final String CURRENT = "1.0";

    @Override
    public Answer handle(Call call, Endpoint next) throws Exception {
        String asked = call.header("godwit-api-version");
        Answer a;
        if (asked != null && !major(asked).equals(major(CURRENT))) {
            a = ErrorReplies.answer(400, "this daemon speaks API " + CURRENT + ", the client asked for " + asked
                    + ": use a client of the same major version", call.requestId());
        } else {
            a = next.serve(call);
        }
        return a.withHeader(HEADER, CURRENT);
    }

    private static String major(String v) {
        String t = v.strip();
        int dot = t.indexOf('.');
        return dot < 0 ? t : t.substring(0, dot);
    }
}
