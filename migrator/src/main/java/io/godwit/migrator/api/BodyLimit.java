package io.godwit.migrator.api;

/**
 * Refuses a body over the limit with a 413 in the API's error shape. The bytes were never read:
 * {@link BodyLimitAggregator} stopped at the announced length and passed the call on marked.
 */
public final class BodyLimit implements Middleware {
    /** Larger than any JSON request of the API (a container spec is a few KiB). */
    public static final int MAX_BYTES = 4 * 1024 * 1024;

    @Override
    public Answer handle(Call call, Endpoint next) throws Exception {
        if (call.bodyTooLarge()) {
            String size = call.declaredBytes() > 0 ? "of " + call.declaredBytes() + " bytes " : "";
            throw new ApiException(413, "request body " + size + "is larger than the limit of "
                    + MAX_BYTES / (1024 * 1024) + " MiB: the API takes JSON requests, not files"
                    + " (images are imported from a path on the daemon's host)");
        }
        return next.serve(call);
    }
}
