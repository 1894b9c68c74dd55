package io.ringbus.core.topic;

import io.ringbus.core.RingBusException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import sun.misc.Signal;

/**
 * The subscriber's side of signal wakeups: one handler per signal per JVM, which unparks every
 * thread of this JVM parked in a signal-mode subscriber. The JVM runs each handler on a fresh thread
 * (about 150 microseconds to start), which is the price of this mode.
 */
final class SignalWakeups {
    private static final Map<String, Integer> INSTALLED = new ConcurrentHashMap<>();
    private static final Set<Thread> PARKED = ConcurrentHashMap.newKeySet();

    private SignalWakeups() {
    }

    /** Installs the handler for {@code name} (USR1, USR2, WINCH...) once; returns the signal number. */
    static int install(String name) {
        return INSTALLED.computeIfAbsent(name, SignalWakeups::handle);
    }

    private static int handle(String name) {
        try {
            Signal signal = new Signal(name);
            Signal.handle(signal, received -> PARKED.forEach(LockSupport::unpark));
            return signal.getNumber();
        } catch (IllegalArgumentException e) {
            throw new RingBusException("Signal SIG" + name + " cannot wake subscribers here: " + e.getMessage()
                + ". Use USR1, USR2 or WINCH (real-time signals and those the JVM uses are refused).", e);
        }
    }

    /** The current thread is about to park waiting for a signal. */
    static void parking(Thread thread) {
        PARKED.add(thread);
    }

    /** The thread has stopped waiting. */
    static void unparked(Thread thread) {
        PARKED.remove(thread);
    }
}
