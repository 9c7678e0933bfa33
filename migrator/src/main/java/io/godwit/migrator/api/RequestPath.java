package io.godwit.migrator.api;

import java.util.List;

/** The middleware every API call passes, from the outside in, before the router answers it. */
public final class RequestPath {
    private RequestPath() {
    }

    /**
     * Request id first (everything after it can name the call), then the access log (it sees the
     * final status), the version header, the error shape, and the body limit next to the router.
     */
    public static Endpoint around(Router router) {
        return Middleware.chain(List.of(new RequestIds(), new AccessLog(), new ApiVersion(), new ErrorReplies(),
                new BodyLimit()), router.endpoint());
    }
}
