package io.godwit.runtime;

import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** The process-wide native POSIX binding (jnr-posix 3.1.x). */
final class Posix {
    static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private Posix() {
    }
}
