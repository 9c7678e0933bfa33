package io.godwit.migrator.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns a failure into the API's one error shape, {@code {"error", "status", "requestId"}}: an
 * {@link ApiException} with its status, a bad argument as 400, a wrong state as 409, anything
 * else as 500 (logged with its stack, under the request id the client also sees).
 */
public final class ErrorReplies implements Middleware {
    private static final Logger LOG = Logger.getLogger(ErrorReplies.class.getName());
    /** An error is read by a person: past this it is cut in the middle (CRIU's log lines are at the end). */
    static final int MAX_MESSAGE = 16 * 1024;

    @Override
    public Answer handle(Call call, Endpoint next) {
        try {
            return next.serve(call);
        } catch (ApiException e) {
            return answer(e.status(), e.getMessage(), call.requestId());
        } catch (io.godwit.runtime.NoSuchContainerException e) {
            return answer(404, e.getMessage(), call.requestId());
        } catch (IllegalArgumentException e) {
            return answer(400, e.getMessage(), call.requestId());
        } catch (IllegalStateException e) {
            return answer(409, e.getMessage(), call.requestId());
        } catch (Exception | Error e) {
            LOG.log(Level.WARNING, call.method() + " " + call.path() + " failed (req " + call.requestId() + ")", e);
            return answer(500, HttpApiHandler.describe(e), call.requestId());
        }
    }

    public static Answer answer(int status, String message, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", cut(message == null ? "unknown error" : message));
        body.put("status", status);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        return Answer.of(status, body);
    }

    static String cut(String message) {
        if (message.length() <= MAX_MESSAGE) {
            return message;
        }
        int keep = MAX_MESSAGE / 2;
        return message.substring(0, keep) + " [... " + (message.length() - 2 * keep) + " characters cut ...] "
                + message.substring(message.length() - keep);
    }
}
