package io.godwit.criu;

import io.godwit.criu.internal.LibC;
import io.godwit.proto.criu.Rpc;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One request/response exchange on a swrk socket: send the request, answer every NOTIFY
 * through the callbacks, return the final response or throw with everything known about
 * the failure. Knows nothing about how criu was started.
 */
final class CriuCall {
    private final String request;
    private final CriuSocket socket;
    private final CriuProcess process; // null when another process started criu
    private final Path imagesDir;
    private final Path logFile;
    private final Duration stallBound;
    private StallWatch watch;

    CriuCall(Rpc.criu_req_type type, CriuSocket socket, CriuProcess process, Path imagesDir, Path logFile,
             Duration stallBound) {
        this.request = type.name();
        this.socket = socket;
        this.process = process;
        this.imagesDir = imagesDir;
        this.logFile = logFile;
        this.stallBound = stallBound;
    }

    private void stop() {
        if (process != null) process.kill();
        socket.shutdown(); // wakes our receive at once, and a foreign criu sees EOF
    }

    Rpc.criu_resp run(Rpc.criu_req req, CriuNotifications notifications, CriuCancel cancel) throws CriuException {
        cancel.attach(this::stop);
        watch = StallWatch.start(logFile, stallBound, this::stop);
        try {
            try {
                socket.send(req);
            } catch (IOException e) {
                throw failure("cannot send the request: " + e.getMessage() + exitInfo(), e);
            }
            Exception callbackFailure = null;
            String failedScript = null;
            while (true) {
                CriuSocket.Received got;
                try {
                    got = socket.receive();
                } catch (IOException e) {
                    if (cancel.isCancelled()) throw cancelled(cancel);
                    if (watch.stalled()) throw stalled();
                    throw failure("cannot read criu's answer: " + e.getMessage() + exitInfo(), e);
                }
                if (got == null) {
                    if (cancel.isCancelled()) throw cancelled(cancel);
                    if (watch.stalled()) throw stalled();
                    throw failure("criu closed the socket before answering" + exitInfo(), callbackFailure);
                }
                Rpc.criu_resp resp = got.resp();
                if (resp.getType() == Rpc.criu_req_type.NOTIFY) {
                    String script = resp.getNotify().getScript();
                    boolean ok = true;
                    watch.pause();
                    try {
                        NotificationDispatch.dispatch(notifications, script, resp.getNotify().getPid(), got.fd());
                    } catch (Exception e) {
                        ok = false;
                        if (callbackFailure == null) {
                            callbackFailure = e;
                            failedScript = script;
                        }
                    } finally {
                        watch.resume();
                    }
                    if (script.equals("status-ready")) {
                        // a page server now: it waits for its client, which its caller bounds
                        watch.close();
                    }
                    try {
                        socket.send(Rpc.criu_req.newBuilder().setType(Rpc.criu_req_type.NOTIFY).setNotifySuccess(ok).build());
                    } catch (IOException e) {
                        if (cancel.isCancelled()) throw cancelled(cancel);
                        if (watch.stalled()) throw stalled();
                        throw failure("cannot answer notification " + script + ": " + e.getMessage() + exitInfo(), e);
                    }
                    continue;
                }
                if (got.fd() >= 0) LibC.INSTANCE.close(got.fd());
                if (callbackFailure != null) {
                    throw failure("notification callback " + failedScript + " failed: " + callbackFailure, callbackFailure, resp);
                }
                if (!resp.getSuccess()) {
                    throw failure("criu reported failure", null, resp);
                }
                if (resp.getType() != req.getType()) {
                    throw failure("criu answered " + resp.getType() + " to " + req.getType(), null, resp);
                }
                return resp;
            }
        } finally {
            watch.close();
            cancel.detach();
        }
    }

    private CriuStalledException stalled() {
        if (process != null) process.waitFor();
        return new CriuStalledException(request, watch.bound(), watch.stalledAt(), imagesDir, logFile,
                CriuLog.excerpt(logFile));
    }

    private String exitInfo() {
        if (process == null) return "";
        process.kill(); // it is misbehaving or dead; make sure it is gone before we wait
        return " (criu " + process.waitFor() + ")";
    }

    private CriuCancelledException cancelled(CriuCancel cancel) {
        if (process != null) process.waitFor();
        return new CriuCancelledException(request, cancel.reason(), imagesDir, logFile);
    }

    CriuException failure(String summary, Throwable cause) {
        return new CriuException(summary, request, 0, "", imagesDir, logFile, CriuLog.excerpt(logFile), cause);
    }

    private CriuException failure(String summary, Throwable cause, Rpc.criu_resp resp) {
        return new CriuException(summary, request, resp.getCrErrno(), resp.getCrErrmsg(), imagesDir, logFile,
                CriuLog.excerpt(logFile), cause);
    }
}
