package io.godwit.transfer;

import java.io.IOException;

/** Any failure of the transfer layer; the message says what failed and where, the cause why. */
public class TransferException extends IOException {
    public TransferException(String message) {
        super(message);
    }

    public TransferException(String message, Throwable cause) {
        super(message, cause);
    }
}
