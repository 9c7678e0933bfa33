package io.godwit.migrator.api;

import java.util.logging.Logger;

/**
 * One info line per call: who (socket peer uid or certificate), what (method and path), the
 * status and how long the daemon took. A streamed reply (logs -f, events) is logged when it
 * starts, with its status; its length is the client's to decide.
 */
public final class AccessLog implements Middleware {
    private static final Logger LOG = Logger.getLogger("io.godwit.access");

    @Override
    public Answer handle(Call call, Endpoint next) throws Exception {
        long start = System.nanoTime();
        int status = 500;
        try {
            Answer a = next.serve(call);
            status = a.status();
            return a;
        } finally {
            long ms = (System.nanoTime() - start) / 1_000_000;
            LOG.info(line(call, status, ms));
        }
    }

    static String line(Call call, int status, long ms) {
        return call.caller() + " \"" + call.method() + " " + call.path() + "\" " + status + " " + ms + " ms req "
                + call.requestId();
    }
}
