package io.godwit.transfer;

/** A name sent by a peer would escape its target directory or write through a symbolic link. */
public class UnsafePathException extends TransferException {
    public UnsafePathException(String message) {
        super(message);
    }
}
