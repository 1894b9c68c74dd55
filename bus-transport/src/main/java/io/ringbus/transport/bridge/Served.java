package io.ringbus.transport.bridge;

/** A connection a {@link Bridge} serves: on a thread of its own, or on an {@link EventLoop}. */
interface Served {
    /** The session's number, for logs and thread names. */
    long id();

    /** Ends the session soon, from any thread. */
    void stop();

    /** Waits up to {@code millis} for the session to have ended. */
    void awaitEnd(long millis);
}
