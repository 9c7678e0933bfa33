package io.godwit.runtime.image;

import java.io.IOException;

/**
 * An image that Godwit refuses for what it holds, not for a failure of the host: a member escaping
 * the tree, a device node, a blob that fails its digest, a broken layout. The API answers 400.
 */
public final class InvalidImageException extends IOException {
    public InvalidImageException(String message) {
        super(message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
