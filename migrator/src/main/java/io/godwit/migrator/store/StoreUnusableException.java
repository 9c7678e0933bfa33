package io.godwit.migrator.store;

import java.io.IOException;

/** The store cannot be opened as the settings ask (no key for an encrypted store, a wrong key, ...): the daemon does not start. */
public final class StoreUnusableException extends IOException {
    private static final long serialVersionUID = 1L;

    public StoreUnusableException(String message) {
        super(message);
    }
}
